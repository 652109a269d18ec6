/**
 * What expired is purged everywhere (SPEC §2, docs/events.md): eight days after a rollout
 * and a few phones, `zerotouch codes purge-expired` leaves no digit of any code in the
 * store or a read model, and no byte of one in the SQLite files (main file, WAL, shared
 * memory), while a control scan before finds every one; the user of a code that never
 * became a phone is gone, a registered phone stays its user's device, a rollout keeps its
 * users and states, and each purge left a record without personal data. Rebuilt read
 * models, reading the purged events' nulls, come out the same.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { auditVerifyCommand } from '../../src/adapters/cli/audit-verify';
import { codesCommand } from '../../src/adapters/cli/codes';
import { ManualClock } from '../../src/application/ports/clock';
import type { RecordedEvent } from '../../src/application/ports/event-store';
import { startTestServer, type TestServer } from '../support/server';
import { TestSocket } from '../support/ws-client';
import { scan, seededAndStopped } from './purge-support';

const START = '2026-03-01T09:00:00.000Z';
const DAY = 86_400_000;

const open: TestServer[] = [];
afterEach(async () => {
  for (const t of open.splice(0).reverse()) await t.close();
});

async function allEvents(t: TestServer): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (let after = 0; ; ) {
    const page = await t.server.storage.events.readAll({ after, limit: 10_000 });
    if (page.events.length === 0) return out;
    out.push(...page.events);
    after = page.position;
  }
}

/** the read models that held digits, as JSON */
async function readModels(t: TestServer): Promise<Record<string, unknown>> {
  const rm = t.server.storage.readModels;
  const read = async (projection: string, collection: string) => (await rm.list(projection, collection, { limit: 10_000 })).map((d) => [d.key, d.doc]);
  return {
    codes: await read('users-phones', 'codes'),
    devices: await read('users-phones', 'devices'),
    unassigned: await read('users-phones', 'unassigned'),
    requests: await read('users-phones', 'requests'),
    entries: await read('users-rollouts', 'entries'),
    pending: await read('devices.outbox', 'pending'),
    byCode: await read('devices.outbox', 'byCode'),
    due: await read('users-purge', 'due'),
    digits: await read('devices.codes', 'digits'),
  };
}

/** a non-terminal stderr that keeps nothing (the progress bar) */
const quietStderr = Object.assign(new Writable({ write: (_c, _e, done) => done() }), { isTTY: false }) as unknown as NodeJS.WriteStream;

const quiet = (): { out: Writable; text: () => string } => {
  let text = '';
  return {
    out: new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    text: () => text,
  };
};

describe('the purge of everything tied to expired codes', () => {
  it('leaves no digit in the store, the read models or the SQLite files, and the records without personal data', async () => {
    const clock = new ManualClock(START);
    // (with the control scan: before the purge, every code's digits are in the files)
    const { server: first, seeded, digits, file } = await seededAndStopped({ clock });

    clock.advance(8 * DAY);
    const env = { ZT_DATA_DIR: first.dataDir, ZT_STORE: first.storeUrl, ZT_LOG_LEVEL: 'silent' };
    const cli = quiet();
    expect(await codesCommand(['purge-expired'], { env, out: cli.out, clock })).toBe(0);
    expect(cli.text()).toBe(
      'purged 4 codes (4 expired, 0 revoked)\n' +
        'devices: archived 4 expired codes; digits purged from 2 phones\n' +
        // alice's, bob's and carol's codes, the rollout, the unassigned phone
        'users: purged the personal data of 5 streams\n',
    );
    expect(scan(file, digits)).toEqual(Object.fromEntries(digits.map((d) => [d, []])));
    // what the purge deleted and nulled leaves the hash chain verifiable
    const verified = quiet();
    expect(await auditVerifyCommand([], { env, out: verified.out, err: quietStderr })).toBe(0);
    expect(verified.text()).toMatch(/^chain verified: \d+ entries up to position \d+ match \(\d+ deleted, [1-9]\d* purged\)/);

    const t = await startTestServer({ storeUrl: first.storeUrl, dataDir: first.dataDir, clock, demo: true });
    open.push(t);
    await t.server.runner.caughtUp({ timeoutMs: 10_000 });
    const events = await allEvents(t);
    const everything = JSON.stringify(events) + JSON.stringify(await readModels(t));
    for (const code of digits) expect(everything).not.toContain(code);
    const types = events.map((e) => e.type);
    expect(types.filter((type) => type === 'PhoneCodePurged')).toHaveLength(3);
    for (const type of ['RolloutCodesPurged', 'UnassignedPhoneCodesPurged', 'DeviceCodesPurged', 'CodeHistoryArchived', 'DeviceCodeArchived']) expect(types).toContain(type);
    // the purge records carry no personal data
    for (const e of events.filter((e) => e.type.endsWith('Purged'))) expect(e.personal).toEqual({});

    // the user link of a code that never became a phone is gone; bob's phone stays his
    const requested = events.filter((e) => e.type === 'PhoneCodeRequested');
    expect(requested.map((e) => e.personal)).toEqual([
      { code: null, userId: null },
      { code: null, userId: null },
      { code: null, userId: null },
    ]);
    expect(events.find((e) => e.type === 'PhoneRegistered')).toMatchObject({ data: { userId: 'bob', mac: seeded.macs[0] }, personal: { code: null } });
    const tokens = t.server.demo!.userTokens;
    const profile = async (user: string) => {
      const ws = await TestSocket.connect(`${t.wsUrl}/users/v1/profile`);
      try {
        await ws.request({ mt: 'Login', token: tokens[user] });
        return await ws.request({ mt: 'GetPhones' });
      } finally {
        ws.close();
      }
    };
    expect(await profile('alice')).toMatchObject({ codes: [], devices: [] });
    expect(await profile('bob')).toMatchObject({ codes: [], devices: [{ mac: seeded.macs[0] }] });

    // the rollout keeps its users and states, not the digits
    const admin = await TestSocket.connect(`${t.wsUrl}/users/v1/admin`);
    try {
      await admin.request({ mt: 'Login', token: t.config.adminToken });
      expect(await admin.request({ mt: 'GetRollout', rolloutId: seeded.rolloutId })).toMatchObject({
        entries: [{ user: 'carol', code: null, state: 'expired', mac: null }],
      });
    } finally {
      admin.close();
    }
    const auth = { authorization: `Bearer ${t.config.adminToken}` };
    const csv = await (await fetch(`${t.url}/users/v1/admin/rollouts/${seeded.rolloutId}.csv?bom=false`, { headers: auth })).text();
    expect(csv.split('\r\n')[1]).toMatch(/^carol,[^,]*,,\d{4}-[^,]+,expired,$/);
    expect(await (await fetch(`${t.url}/users/v1/admin/unassigned-phones`, { headers: auth })).json()).toMatchObject([{ mac: seeded.macs[1], code: null }]);
    // a phone's history keeps the code's keyed hash only
    const history = (await (await fetch(`${t.url}/devices/v1/admin/devices/${seeded.macs[0]}`, { headers: auth })).json()) as { history: unknown[] };
    expect(history.history[0]).toMatchObject({ type: 'DeviceProvisioned', data: { codeHash: expect.any(String), code: null } });

    // a rebuild reads the nulls and ends where the purge left the read models
    const before = await readModels(t);
    for (const name of ['users-phones', 'users-rollouts', 'users-purge', 'devices.outbox', 'devices.codes']) await t.server.runner.rebuild(name);
    expect(await readModels(t)).toEqual(before);
  });

  it('a server started after the expiry purges on its own, and its open files (WAL included) keep no digit', async () => {
    const clock = new ManualClock(START);
    const { server: first, digits, file } = await seededAndStopped({ clock });

    // every part purges at start, then every minute; this server's connections stay open
    clock.advance(8 * DAY);
    const t = await startTestServer({ storeUrl: first.storeUrl, dataDir: first.dataDir, clock, demo: true });
    open.push(t);
    const clean = Object.fromEntries(digits.map((d) => [d, []]));
    const deadline = Date.now() + 20_000;
    let found = scan(file, digits);
    while (JSON.stringify(found) !== JSON.stringify(clean) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      found = scan(file, digits);
    }
    expect(found).toEqual(clean);
    const types = (await allEvents(t)).map((e) => e.type);
    expect(types.filter((type) => type === 'PhoneCodePurged')).toHaveLength(3);
    expect(types.filter((type) => type === 'DeviceCodesPurged')).toHaveLength(2);
  });
});
