/**
 * `PhoneProvisioned` against a real Devices and Redirector: phones that come up while
 * Users is offline are all registered once it is back; a notice recorded but not
 * acknowledged (the process stopped in between) comes again and changes nothing; notices
 * Users cannot place are kept and reported, and an admin gives them to a user.
 */
import * as E from 'fp-ts/Either';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePhoneProvisioned } from '../../src/adapters/users/devices-client';
import { processPhoneNotice } from '../../src/application/users/process-phone-notice';
import { admin, allEvents, createPhoneApp, eventually, head, importCsv, profile, userToken, usersAdmin } from './support';
import { parseExposition } from '../support/exposition';
import { macOf, phoneNo, World } from './world';

const count = async (world: World, type: string): Promise<number> => (await allEvents(world.requireUsers())).filter((e) => e.type === type).length;

/** a world whose Users has user alice, who asked for a code in Profile; then Users stops */
async function aliceAskedForACode(): Promise<{ world: World; code: string }> {
  const world = await World.start();
  const users = await world.startUsers();
  expect((await importCsv(users, 'alice,Alice\n')).json()).toMatchObject({ created: 1 });
  await world.connected();
  const alice = await profile(users, await userToken(users, 'alice'));
  const added = await alice.request({ mt: 'AddPhone', category: 'office' });
  expect(added).toMatchObject({ code: expect.stringMatching(/^\d{12}$/), expiresAt: '2026-03-08T09:00:00.000Z' });
  alice.close();
  await world.stopUsers();
  return { world, code: String(added['code']) };
}

describe.each(['sqlite', 'postgres'] as const)('Users offline while phones provision (Users on %s)', (store) => {
  let world: World;
  afterAll(() => world?.close());

  it('registers every phone exactly once when it is back', async () => {
    world = await World.start();
    let users = await world.startUsers({ store });
    const ids = Array.from({ length: 10 }, (_, i) => `u${i}`);
    expect((await importCsv(users, ids.map((id) => `${id},User ${id}`).join('\n'))).json()).toMatchObject({ created: 10 });
    await createPhoneApp(users);
    await world.connected();
    const ws = await usersAdmin(users);
    const started = await ws.request({ mt: 'StartRollout', category: 'office', phoneApp: 'phone', users: ids });
    const rolloutId = String(started['rolloutId']);
    const codes = (started['entries'] as Array<{ code: string }>).map((e) => e.code);
    ws.close();

    await world.stopUsers();
    for (const [i, code] of codes.entries()) await world.provision(code, phoneNo(i + 1));
    expect(await world.outbox()).toHaveLength(10);

    users = await world.startUsers();
    await eventually(async () => (await world.outbox()).length === 0, 15_000, 'the outbox drained');
    // every notice was recorded before it was acknowledged: the read models have it once they reach the head
    await users.test.server.runner.caughtUp({ timeoutMs: 10_000 });
    const again = await usersAdmin(users);
    const status = await again.request({ mt: 'GetRollout', rolloutId });
    expect((status['entries'] as Array<{ state: string; mac: string }>).map((e) => [e.state, e.mac])).toEqual(ids.map((_, i) => ['registered', macOf(phoneNo(i + 1))]));
    again.close();
    for (const [i, id] of ids.entries()) {
      expect((await admin(users, 'GET', `/users/${id}/devices`)).json()).toEqual([expect.objectContaining({ mac: macOf(phoneNo(i + 1)) })]);
    }
    expect(await count(world, 'PhoneRegistered')).toBe(10);
    expect(await count(world, 'RolloutEntryRegistered')).toBe(10);
  });
});

describe('a notice recorded but not acknowledged', () => {
  let world: World;
  afterAll(() => world?.close());

  it('comes again from Devices, is recorded as nothing new and acknowledged: one device', async () => {
    const asked = await aliceAskedForACode();
    world = asked.world;
    await world.provision(asked.code, phoneNo(7));
    const [pending] = await world.outbox();
    expect(pending).toMatchObject({ mac: macOf(phoneNo(7)), code: asked.code });

    // an earlier run recorded the notice and stopped before it could acknowledge it
    let users = await world.startUsers({ connect: false });
    const notice = parsePhoneProvisioned({ mt: 'PhoneProvisioned', ...pending });
    if (E.isLeft(notice)) throw new Error(notice.left);
    const { context } = users.test.server;
    expect(await processPhoneNotice(context, notice.right)).toMatchObject({ kind: 'registered', userId: 'alice' });
    expect(await processPhoneNotice(context, notice.right)).toMatchObject({ kind: 'already-registered', userId: 'alice' });
    const recorded = await head(users);
    await world.stopUsers();

    // Devices sends it again; Users acknowledges it without writing anything
    users = await world.startUsers();
    await eventually(async () => (await world.outbox()).length === 0, 15_000, 'the notice acknowledged');
    expect(await head(users)).toBe(recorded);
    await users.test.server.runner.caughtUp({ timeoutMs: 10_000 });
    expect(await count(world, 'PhoneRegistered')).toBe(1);
    expect((await admin(users, 'GET', '/users/alice/devices')).json()).toEqual([
      { mac: macOf(phoneNo(7)), model: 'IP112', category: 'office', registeredAt: '2026-03-01T09:00:00.000Z' },
    ]);
    const metrics = parseExposition((await users.app.inject('/metrics')).body);
    expect(metrics.value('zt_users_phone_notices_total', { outcome: 'already-registered' })).toBe(1);
  });
});

describe('notices Users cannot place', () => {
  let world: World;
  afterAll(() => world?.close());

  it('a code this Users never handed out is kept as an unassigned phone, reported, and assignable', async () => {
    const asked = await aliceAskedForACode();
    world = asked.world;
    const { code } = asked;
    // Users loses its data (a restore from an old backup): it no longer knows the code
    const users = await world.startUsers({ fresh: true });
    expect((await importCsv(users, 'alice,Alice\n')).json()).toMatchObject({ created: 1 });
    await world.provision(code, phoneNo(11));
    await eventually(async () => (await world.outbox()).length === 0, 15_000, 'the notice acknowledged');

    const listed = await eventually(async () => {
      const list = (await admin(users, 'GET', '/unassigned-phones')).json() as unknown[];
      return list.length > 0 && list;
    });
    expect(listed).toEqual([{ mac: macOf(phoneNo(11)), model: 'IP112', code, reason: 'unknown-code', noticeId: expect.any(String), at: '2026-03-01T09:00:00.000Z' }]);
    expect(parseExposition((await users.app.inject('/metrics')).body).samples('zt_users_unassigned_phones_total').map((u) => [u.labels['reason'], u.value])).toEqual([['unknown-code', 1]]);

    const profileOfAlice = await profile(users, await userToken(users, 'alice'));
    const assign = await admin(users, 'POST', `/unassigned-phones/${phoneNo(11).mac}/assign`, { user: 'alice' });
    expect(assign.statusCode, assign.body).toBe(204);
    expect(await profileOfAlice.next('PhoneRegistered')).toEqual({ mt: 'PhoneRegistered', mac: macOf(phoneNo(11)), code: null });
    profileOfAlice.close();
    expect((await admin(users, 'GET', '/unassigned-phones')).json()).toEqual([]);
    expect((await admin(users, 'GET', '/users/alice/devices')).json()).toEqual([
      { mac: macOf(phoneNo(11)), model: 'IP112', category: null, registeredAt: '2026-03-01T09:00:00.000Z' },
    ]);
    const before = await head(users);
    expect((await admin(users, 'POST', `/unassigned-phones/${macOf(phoneNo(11))}/assign`, { user: 'alice' })).statusCode).toBe(204);
    expect(await head(users)).toBe(before);
    expect((await importCsv(users, 'bob,Bob\n')).json()).toMatchObject({ created: 1 });
    const taken = await admin(users, 'POST', `/unassigned-phones/${macOf(phoneNo(11))}/assign`, { user: 'bob' });
    expect(taken.statusCode).toBe(409);
    expect(await head(users)).toBe(before + 1);
  });

  it('an approved pre-claimed phone (no code) is kept with reason no-code', async () => {
    const users = world.requireUsers();
    const phone = phoneNo(12);
    await world.devicesAdmin('POST', '/claims', { macs: [phone.mac], domain: 'example.com', category: 'office' });
    const provisioned = await fetch(`${world.devices.url}/devices/v1/phone/provision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(phone),
    });
    expect(provisioned.status).toBe(200);
    await world.devicesAdmin('POST', `/devices/${macOf(phone)}/approve`);
    const listed = await eventually(async () => {
      const list = (await admin(users, 'GET', '/unassigned-phones')).json() as Array<{ mac: string }>;
      return list.find((p) => p.mac === macOf(phone));
    });
    expect(listed).toMatchObject({ mac: macOf(phone), code: null, reason: 'no-code' });
  });
});
