/**
 * The projections in a worker thread of their own (src/adapters/server/projection-thread.ts),
 * as `serve` runs them on SQLite: the whole flow of codes, phones and the Users' views works
 * through it, read-your-writes holds, status and rebuilds answer, a thread that dies is
 * started again without losing a wait, and the read models equal a rebuild from the log.
 */
import type { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { devicesProjections } from '../../src/application/devices/projections';
import type { Projection } from '../../src/application/projections/projection';
import { ProjectionThread } from '../../src/adapters/server/projection-thread';
import { openStorage } from '../../src/adapters/server/storage';
import { seedPersonalData } from '../e2e/purge-support';
import { startTestServer, type TestServer } from '../support/server';
import { tempDir } from '../support/temp-dir';
import { TestSocket } from '../support/ws-client';

const open: TestServer[] = [];
afterEach(async () => {
  for (const t of open.splice(0).reverse()) await t.close();
});

const READ_MODELS: ReadonlyArray<readonly [string, string]> = [
  ['users-phones', 'codes'],
  ['users-phones', 'devices'],
  ['users-phones', 'unassigned'],
  ['users-rollouts', 'entries'],
  ['devices.outbox', 'pending'],
  ['devices.codes', 'digits'],
  ['devices.devices', 'devices'],
];

async function snapshot(t: TestServer): Promise<unknown> {
  const rm = t.server.storage.readModels;
  return Promise.all(READ_MODELS.map(async ([projection, collection]) => [projection, collection, await rm.list(projection, collection, { limit: 10_000 })]));
}

const workerOf = (thread: ProjectionThread): Worker => (thread as unknown as { worker: Worker }).worker;

describe('projections in a worker thread', () => {
  it('serve the whole flow, answer status and rebuilds, and equal a rebuild from the log', async () => {
    const t = await startTestServer({ demo: true, projectionThread: true });
    open.push(t);
    expect(t.server.runner).toBeInstanceOf(ProjectionThread);
    expect(t.server.storage.files?.readModels).toMatch(/zerotouch\.read-models\.db$/);

    // codes through Users, Devices and the Redirector; phones registered in Profile and UsersAdmin
    const seeded = await seedPersonalData(t);
    expect(seeded.macs).toHaveLength(2);
    await t.server.runner.caughtUp({ timeoutMs: 10_000 });
    expect(await t.server.runner.isCaughtUp()).toBe(true);
    const status = await t.server.runner.status();
    expect(status.map((s) => s.name)).toEqual([...t.server.runner.names()].sort());
    for (const s of status) expect(s).toMatchObject({ behind: 0, rebuilding: null });

    const before = await snapshot(t);
    const progress: number[] = [];
    for (const [name] of READ_MODELS) await t.server.runner.rebuild(name, (position) => progress.push(position));
    expect(progress.length).toBeGreaterThan(0);
    expect(await snapshot(t)).toEqual(before);
    await expect(t.server.runner.rebuild('no-such-projection')).rejects.toThrow(/unknown projection no-such-projection/);
    await expect(t.server.runner.caughtUp({ name: 'no-such-projection' })).rejects.toThrow(/not running/);
    // a write none of whose events a projection reads is not waited for there, however far ahead
    const farAhead = (await t.server.storage.events.headPosition()) + 1_000;
    // (answered before the thread could have read anything: within this turn of the event loop)
    const none = t.server.runner.caughtUp({ name: 'devices.devices', position: farAhead, written: { last: 'NoSuchType', all: ['NoSuchType'] } });
    expect(await Promise.race([none.then(() => 'answered'), new Promise((r) => setImmediate(() => r('waited')))])).toBe('answered');
  });

  it('is started again when it dies: the waits under way end, the next writes are projected', async () => {
    const t = await startTestServer({ demo: true, projectionThread: true });
    open.push(t);
    const thread = t.server.runner as ProjectionThread;
    const tokens = t.server.demo!.userTokens;
    const alice = await TestSocket.connect(`${t.wsUrl}/users/v1/profile`);
    try {
      expect(await alice.request({ mt: 'Login', token: tokens['alice'] })).toMatchObject({ ok: true });
      const first = await alice.request({ mt: 'AddPhone', category: 'office' }, 15_000);

      const dead = workerOf(thread);
      const wait = thread.caughtUp({ position: (await t.server.storage.events.headPosition()) + 1, timeoutMs: 20_000 });
      await dead.terminate();
      // a write after the death: the new thread projects it, and the wait under way ends
      const second = await alice.request({ mt: 'AddPhone', category: 'office' }, 15_000);
      await wait;
      expect(workerOf(thread)).not.toBe(dead);
      await t.server.runner.caughtUp({ timeoutMs: 10_000 });
      const phones = await alice.request({ mt: 'GetPhones' });
      expect((phones['codes'] as Array<{ code: string }>).map((c) => c.code).sort()).toEqual([first['code'], second['code']].sort());
    } finally {
      alice.close();
    }
  });

  it('refuses to start when it does not know a projection as the server does, and says why', async () => {
    const dir = tempDir('zt-thread-');
    const storage = await openStorage(`sqlite:${dir.path}/zerotouch.db`, dir.path);
    try {
      const changed: Projection = { ...devicesProjections[0]!, version: devicesProjections[0]!.version + 1 };
      const thread = new ProjectionThread({ files: storage.files!, projections: [changed], events: storage.events, logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
      await expect(thread.start()).rejects.toThrow(/could not start: projection .* version \d+ asked, \d+ known/);
      await expect(thread.status()).rejects.toThrow(/not running/);
      await thread.stop();
    } finally {
      await storage.close();
      dir.remove();
    }
  });
});
