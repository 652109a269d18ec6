/**
 * UsersAdmin "Register phones" for 50 users against a real Devices and Redirector: one
 * code per user, the CSV, 50 phones provisioning over HTTP, every entry Registered, each
 * user with exactly one device; and an expired entry that gets a fresh code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/adapters/users/csv';
import type { TestSocket } from '../support/ws-client';
import { admin, allEvents, createPhoneApp, DAY, eventually, importCsv, profile, userToken, usersAdmin } from './support';
import { macOf, phoneNo, World } from './world';

const USERS = 50;
/** names a spreadsheet must keep: commas, quotes, non-ASCII */
const nameOf = (i: number): string => [`Ærøskøbing, Åsa ${i}`, `Zoë "Z" Ōtsuka ${i}`, `José Müller ${i}`, `李 ${i}`, `Plain ${i}`][i % 5]!;
const idOf = (i: number): string => `user-${String(i).padStart(2, '0')}`;

describe('a rollout of 50 users', () => {
  let world: World;
  let ws: TestSocket;
  let rollout: { rolloutId: string; entries: Array<{ user: string; code: string; expiresAt: string; state: string }> };

  beforeAll(async () => {
    world = await World.start();
    const users = await world.startUsers();
    const csv = ['id,name,email', ...Array.from({ length: USERS }, (_, i) => `${idOf(i)},"${nameOf(i).replace(/"/g, '""')}",${idOf(i)}@example.com`)].join('\r\n');
    expect((await importCsv(users, csv)).json()).toEqual({ created: USERS, skipped: 0, errors: [] });
    await createPhoneApp(users, 'phone', 'Phone');
    await createPhoneApp(users, 'softphone', 'Softphone');
    await world.connected();
    ws = await usersAdmin(users);
  });
  afterAll(async () => {
    ws?.close();
    await world?.close();
  });

  it('step 1 and 2: Devices is connected; categories come from Devices, phone apps from the directory', async () => {
    expect(await ws.request({ mt: 'GetCategories', src: 'c' })).toEqual({ mt: 'GetCategoriesResult', src: 'c', categories: [{ id: 'office', name: 'Office' }] });
    expect(await ws.request({ mt: 'GetPhoneApps' })).toMatchObject({ phoneApps: [{ id: 'phone', name: 'Phone' }, { id: 'softphone', name: 'Softphone' }] });
  });

  it('step 3: the users to pick from', async () => {
    const { users } = (await ws.request({ mt: 'GetUsers' })) as { users: Array<{ id: string; name: string }> };
    expect(users).toHaveLength(USERS);
    expect(users[1]).toEqual({ id: 'user-01', name: nameOf(1), email: 'user-01@example.com' });
  });

  it('step 4: StartRollout gives one code per user, all pending', async () => {
    const userIds = Array.from({ length: USERS }, (_, i) => idOf(i));
    const result = await ws.request({ mt: 'StartRollout', category: 'office', phoneApp: 'phone', users: userIds, src: 'r' }, 60_000);
    expect(result).toMatchObject({ mt: 'StartRolloutResult', src: 'r', rolloutId: expect.any(String), category: 'office', phoneApp: 'phone' });
    rollout = result as unknown as typeof rollout;
    expect(rollout.entries.map((e) => e.user)).toEqual(userIds);
    for (const entry of rollout.entries) {
      expect(entry).toEqual({ user: entry.user, code: expect.stringMatching(/^\d{12}$/), expiresAt: '2026-03-08T09:00:00.000Z', state: 'pending', mac: null });
    }
    expect(new Set(rollout.entries.map((e) => e.code)).size).toBe(USERS);
    const status = await ws.request({ mt: 'GetRollout', rolloutId: rollout.rolloutId });
    expect(status).toMatchObject({ rolloutId: rollout.rolloutId, category: 'office', phoneApp: 'phone' });
    expect((status['entries'] as Array<{ state: string }>).map((e) => e.state)).toEqual(userIds.map(() => 'pending'));
  });

  it('the CSV lists every code (RFC 4180: quotes, commas and non-ASCII names survive)', async () => {
    const res = await admin(world.requireUsers(), 'GET', `/rollouts/${rollout.rolloutId}.csv`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="rollout-${rollout.rolloutId}.csv"`);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(res.body.endsWith('\r\n')).toBe(true);
    expect(res.body.slice(1).split('\r\n')[0]).toBe('user,name,code,expires_at,state,mac');
    expect(res.body).toContain(`user-00,"Ærøskøbing, Åsa 0",${rollout.entries[0]!.code},2026-03-08T09:00:00.000Z,pending,\r\n`);
    expect(res.body).toContain(`user-01,"Zoë ""Z"" Ōtsuka 1",`);
    const rows = parseCsv(res.body);
    expect(rows).toHaveLength(USERS + 1);
    rows.slice(1).forEach((row, i) => {
      expect(row).toEqual({ line: i + 2, fields: [idOf(i), nameOf(i), rollout.entries[i]!.code, '2026-03-08T09:00:00.000Z', 'pending', ''] });
    });
    const plain = await admin(world.requireUsers(), 'GET', `/rollouts/${rollout.rolloutId}.csv?bom=false`);
    expect(plain.body.startsWith('user,name,code')).toBe(true);
  });

  it('50 phones provision; every entry turns Registered (pushed), each user gets exactly one device', async () => {
    const users = world.requireUsers();
    const aliceProfile = await profile(users, await userToken(users, idOf(0)));
    const updates = new Map<string, Record<string, unknown>>();
    const collecting = (async () => {
      while (updates.size < USERS) {
        const update = await ws.next('RolloutEntryUpdated', 30_000);
        updates.set(String(update['user']), update);
      }
    })();
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = next++; i < USERS; i = next++) await world.provision(rollout.entries[i]!.code, phoneNo(i + 1, i % 2 ? 'IP232' : 'IP112'));
      }),
    );
    await collecting;
    for (let i = 0; i < USERS; i++) {
      expect(updates.get(idOf(i))).toEqual({ mt: 'RolloutEntryUpdated', rolloutId: rollout.rolloutId, user: idOf(i), state: 'registered', mac: macOf(phoneNo(i + 1)) });
    }
    expect(await aliceProfile.next('PhoneRegistered')).toEqual({ mt: 'PhoneRegistered', mac: macOf(phoneNo(1)), code: rollout.entries[0]!.code });
    aliceProfile.close();

    const status = await ws.request({ mt: 'GetRollout', rolloutId: rollout.rolloutId });
    (status['entries'] as Array<Record<string, unknown>>).forEach((entry, i) => {
      expect(entry).toEqual({ user: idOf(i), name: nameOf(i), code: rollout.entries[i]!.code, expiresAt: '2026-03-08T09:00:00.000Z', state: 'registered', mac: macOf(phoneNo(i + 1)) });
    });
    for (let i = 0; i < USERS; i++) {
      const devices = (await admin(users, 'GET', `/users/${idOf(i)}/devices`)).json();
      expect(devices).toEqual([{ mac: macOf(phoneNo(i + 1)), model: i % 2 ? 'IP232' : 'IP112', category: 'office', registeredAt: '2026-03-01T09:00:00.000Z' }]);
    }
    const events = await allEvents(users);
    expect(events.filter((e) => e.type === 'PhoneRegistered')).toHaveLength(USERS);
    expect(events.filter((e) => e.type === 'RolloutEntryRegistered')).toHaveLength(USERS);
    // the acknowledgements reach Devices' outbox a moment after the registrations
    await eventually(async () => (await world.outbox()).length === 0, 10_000, 'the outbox drained');
  });

  it('the CSV now says registered, with the MACs', async () => {
    const rows = parseCsv((await admin(world.requireUsers(), 'GET', `/rollouts/${rollout.rolloutId}.csv`)).body);
    rows.slice(1).forEach((row, i) => {
      expect(row).toMatchObject({ fields: [idOf(i), nameOf(i), rollout.entries[i]!.code, '2026-03-08T09:00:00.000Z', 'registered', macOf(phoneNo(i + 1))] });
    });
  });
});

describe('an entry whose code expired', () => {
  let world: World;
  let ws: TestSocket;

  beforeAll(async () => {
    world = await World.start();
    const users = await world.startUsers();
    expect((await importCsv(users, 'ann,Ann\nben,Ben\n')).json()).toMatchObject({ created: 2 });
    await createPhoneApp(users);
    await world.connected();
    ws = await usersAdmin(users);
  });
  afterAll(async () => {
    ws?.close();
    await world?.close();
  });

  it('shows Expired; the admin issues a fresh code for that user, which the phone then uses', async () => {
    const started = await ws.request({ mt: 'StartRollout', category: 'office', phoneApp: 'phone', users: ['ann', 'ben'] });
    const rolloutId = String(started['rolloutId']);
    const [ann, ben] = started['entries'] as Array<{ code: string }>;
    await world.provision(ben!.code, phoneNo(900));
    expect(await ws.next('RolloutEntryUpdated')).toMatchObject({ user: 'ben', state: 'registered' });

    expect(await ws.request({ mt: 'ReissueCode', rolloutId, user: 'ann' })).toMatchObject({ error: { code: 'conflict', detail: expect.stringContaining('pending') } });
    world.clock.advance(7 * DAY);
    const status = await ws.request({ mt: 'GetRollout', rolloutId });
    expect((status['entries'] as Array<{ user: string; state: string }>).map((e) => [e.user, e.state])).toEqual([
      ['ann', 'expired'],
      ['ben', 'registered'],
    ]);
    expect(await ws.request({ mt: 'ReissueCode', rolloutId, user: 'ben' })).toMatchObject({ error: { code: 'conflict', detail: expect.stringContaining('registered') } });
    const csv = (await admin(world.requireUsers(), 'GET', `/rollouts/${rolloutId}.csv?bom=false`)).body;
    expect(csv).toContain(`ann,Ann,${ann!.code},2026-03-08T09:00:00.000Z,expired,\r\n`);

    const reissued = await ws.request({ mt: 'ReissueCode', rolloutId, user: 'ann', src: 'x' });
    expect(reissued).toEqual({
      mt: 'ReissueCodeResult',
      src: 'x',
      rolloutId,
      entry: { user: 'ann', code: expect.stringMatching(/^\d{12}$/), expiresAt: '2026-03-15T09:00:00.000Z', state: 'pending', mac: null },
    });
    const fresh = (reissued['entry'] as { code: string }).code;
    expect(fresh).not.toBe(ann!.code);
    expect(await ws.next('RolloutEntryUpdated')).toMatchObject({ user: 'ann', state: 'pending', code: fresh });
    expect(await ws.request({ mt: 'ReissueCode', rolloutId, user: 'ann' })).toMatchObject({ error: { code: 'conflict' } });

    await world.provision(fresh, phoneNo(901));
    expect(await ws.next((m) => m['mt'] === 'RolloutEntryUpdated' && m['state'] === 'registered')).toMatchObject({ user: 'ann', mac: macOf(phoneNo(901)) });
    const after = await ws.request({ mt: 'GetRollout', rolloutId });
    expect(after['entries']).toMatchObject([
      { user: 'ann', code: fresh, state: 'registered', mac: macOf(phoneNo(901)) },
      { user: 'ben', state: 'registered', mac: macOf(phoneNo(900)) },
    ]);
  });
});
