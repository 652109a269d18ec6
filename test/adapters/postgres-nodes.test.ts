/**
 * Two nodes on one PostgreSQL database, as SPEC §7 "Several nodes" has them:
 * - the guess throttle: a GuessThrottle per node, each on its own pool and its own
 *   PostgresThrottleStore over the one zt_throttle table; a guesser who spreads wrong codes
 *   over both nodes gets the limits of SPEC §2 once, not once per node, and concurrent
 *   guesses on both nodes each take exactly one token;
 * - the leases: a PostgresLeases per node; a lease has one holder at a time, and when the
 *   holder's session ends (its client closed, or its backend terminated as when a node's
 *   connection dies) the other node takes it within seconds, while the old holder no
 *   longer claims it;
 * - outbox delivery: a dispatcher per node with its own leases; a domain's new notices go
 *   live to the Users of one node only, every login still gets the whole outbox, and when
 *   the sending node's last Users of the domain leaves, the other node's Users gets what is
 *   still unacknowledged and what comes after.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresLeases } from '../../src/adapters/eventstore/postgres-leases';
import { PostgresSetupRecord, PostgresThrottleStore } from '../../src/adapters/eventstore/postgres-tables';
import { PostgresPresenceStore } from '../../src/adapters/devices/presence-store-postgres';
import { StoreUnavailableError } from '../../src/application/ports/event-store';
import { GuessThrottle } from '../../src/application/guess-throttle';
import { OutboxDispatcher, type PushReceiver } from '../../src/application/devices/outbox-dispatcher';
import { OUTBOX, PENDING, pendingPrefix } from '../../src/application/devices/projections/outbox';
import { put } from '../../src/application/projections/projection';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory';
import { MemoryReadModelStore } from '../../src/adapters/readmodels/memory';
import { ManualClock } from '../../src/application/ports/clock';
import { IP_THROTTLE, MAC_THROTTLE } from '../../src/domain/throttle';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('two nodes on one PostgreSQL database', { timeout: 60_000 }, () => {
  let db: TestDatabase;
  const pools: pg.Pool[] = [];
  const leases: PostgresLeases[] = [];
  let admin: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
  });
  afterAll(async () => {
    for (const l of leases) await l.close();
    for (const p of pools) await p.end();
    await admin?.end();
    await db?.drop();
  });

  /** two nodes' throttles (one clock: the nodes agree on the time) over one table */
  const twoThrottles = async (namespace: string): Promise<{ clock: ManualClock; nodes: [GuessThrottle, GuessThrottle]; store: PostgresThrottleStore }> => {
    const clock = new ManualClock();
    const stores: PostgresThrottleStore[] = [];
    for (let i = 0; i < 2; i++) {
      const pool = new pg.Pool({ connectionString: db.url, max: 8 });
      pool.on('error', () => undefined); // as the product's pools: an idle connection the server ends must not end the test run
      pools.push(pool);
      stores.push(await PostgresThrottleStore.open(pool, 'public'));
    }
    const policies = { perMac: MAC_THROTTLE, perIp: IP_THROTTLE };
    return {
      clock,
      nodes: [new GuessThrottle(clock, { store: stores[0]!, namespace, policies }), new GuessThrottle(clock, { store: stores[1]!, namespace, policies })],
      store: stores[0]!,
    };
  };

  describe('the guess throttle', () => {
    it('counts a MAC’s wrong codes on both nodes together: 5, then one per minute, refused on both', async () => {
      const { clock, nodes } = await twoThrottles('mac-spread');
      for (let i = 0; i < 5; i++) {
        const node = nodes[i % 2]!;
        expect(await node.gate(`10.1.0.${i}`, 'mac-a')).toEqual({ allowed: true });
        await node.recordWrongGuess(`10.1.0.${i}`, 'mac-a');
      }
      for (const node of nodes) expect(await node.gate('10.1.0.99', 'mac-a')).toEqual({ allowed: false, retryAfterSeconds: 60 });
      expect(await nodes[0].gate('10.1.0.99', 'mac-b')).toEqual({ allowed: true });
      clock.advance(60_000);
      // one more guess, on either node; then both refuse again for a minute
      expect(await nodes[1].gate('10.1.0.7', 'mac-a')).toEqual({ allowed: true });
      await nodes[1].recordWrongGuess('10.1.0.7', 'mac-a');
      for (const node of nodes) expect(await node.gate('10.1.0.8', 'mac-a')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    });

    it('counts a source IP’s wrong codes on both nodes together: 100, then one per second', async () => {
      const { clock, nodes } = await twoThrottles('ip-spread');
      for (let i = 0; i < 100; i++) {
        const node = nodes[i % 2]!;
        expect(await node.gate('192.0.2.10', `mac-${i}`), `guess ${i + 1}`).toEqual({ allowed: true });
        await node.recordWrongGuess('192.0.2.10', `mac-${i}`);
      }
      for (const node of nodes) expect(await node.gate('192.0.2.10', 'fresh-mac')).toEqual({ allowed: false, retryAfterSeconds: 1 });
      expect(await nodes[1].gate('192.0.2.11', 'fresh-mac')).toEqual({ allowed: true });
      clock.advance(1_000);
      expect(await nodes[0].gate('192.0.2.10', 'fresh-mac')).toEqual({ allowed: true });
    });

    it('loses no guess when both nodes take from one bucket at the same moment', async () => {
      const { nodes, store } = await twoThrottles('concurrent');
      // 60 wrong guesses at once, 30 on each node, each with its own MAC: the IP bucket loses exactly 60
      await Promise.all(Array.from({ length: 60 }, (_, i) => nodes[i % 2]!.recordWrongGuess('198.51.100.1', `mac-${i}`)));
      const bucket = (await store.get(['concurrent:ip:198.51.100.1'])).get('concurrent:ip:198.51.100.1');
      expect(bucket?.tokens).toBe(IP_THROTTLE.burst - 60);
      for (const node of nodes) expect(await node.gate('198.51.100.1', 'another')).toEqual({ allowed: true });
      // 40 more, 20 on each node: now the IP is refused on both
      await Promise.all(Array.from({ length: 40 }, (_, i) => nodes[i % 2]!.recordWrongGuess('198.51.100.1', `mac-${60 + i}`)));
      for (const node of nodes) expect(await node.gate('198.51.100.1', 'another')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    });

    it('answers the look-ups of one moment together, each with the buckets of its own keys', async () => {
      const { store } = await twoThrottles('moment');
      await store.take([{ key: 'moment:a', policy: MAC_THROTTLE }, { key: 'moment:b', policy: MAC_THROTTLE }], 0);
      await store.take([{ key: 'moment:b', policy: MAC_THROTTLE }], 0);
      const [a, b, both, none, repeated] = await Promise.all([
        store.get(['moment:a', 'moment:x']),
        store.get(['moment:b']),
        store.get(['moment:a', 'moment:b']),
        store.get(['moment:y']),
        store.get(['moment:a', 'moment:a']),
      ]);
      expect([...a.keys()]).toEqual(['moment:a']);
      expect(a.get('moment:a')?.tokens).toBe(MAC_THROTTLE.burst - 1);
      expect(b.get('moment:b')?.tokens).toBe(MAC_THROTTLE.burst - 2);
      expect([...both.keys()].sort()).toEqual(['moment:a', 'moment:b']);
      expect(none.size).toBe(0);
      expect([...repeated.keys()]).toEqual(['moment:a']);
    });
  });

  it('answers a lost database as unavailable from the tables beside the events (throttle, presence, set-up record), as the event store does', async () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pool.on('error', () => undefined);
    const throttle = await PostgresThrottleStore.open(pool, 'public');
    const presence = await PostgresPresenceStore.open(pool, 'public');
    const setup = await PostgresSetupRecord.open(pool, 'public');
    await throttle.take([{ key: 'lost:k', policy: MAC_THROTTLE }], 0);
    expect((await throttle.get(['lost:k'])).size).toBe(1);
    // the pool gone: every query fails as on a database out of reach (the e2e restart test meets the real thing)
    await pool.end();
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['throttle.get', () => throttle.get(['lost:k'])],
      ['throttle.take', () => throttle.take([{ key: 'lost:k', policy: MAC_THROTTLE }], 1)],
      ['throttle.sweep', () => throttle.sweep(1)],
      ['presence.save', () => presence.save(new Map([['0090330000aa', new Date(0).toISOString()]]))],
      ['presence.load', () => presence.load(['0090330000aa'])],
      ['setup.get', () => setup.get('k')],
      ['setup.claim', () => setup.claim('k', 'v')],
    ];
    for (const [name, call] of calls) await expect(call(), name).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  describe('the leases', () => {
    const twoNodes = (): [PostgresLeases, PostgresLeases] => {
      const made: [PostgresLeases, PostgresLeases] = [new PostgresLeases(db.url, { verifyEveryMs: 200 }), new PostgresLeases(db.url, { verifyEveryMs: 200 })];
      leases.push(...made);
      return made;
    };

    /** the backends holding an advisory lock now (other than ours) */
    const lockHolders = async (): Promise<number[]> => {
      const r = await admin.query<{ pid: number }>(
        "SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()",
      );
      return r.rows.map((row) => row.pid);
    };

    /** poll as a node's background work does, until it holds the lease; answers how long it took */
    const takeOver = async (node: PostgresLeases, name: string, withinMs: number): Promise<number> => {
      const started = Date.now();
      while (!(await node.hold(name))) {
        if (Date.now() - started > withinMs) throw new Error(`${name} did not move within ${withinMs} ms`);
        await sleep(100);
      }
      return Date.now() - started;
    };

    it('grants each lease to one of two nodes asking at the same moment, and keeps it there', async () => {
      const [a, b] = twoNodes();
      const warnings: string[] = [];
      const onWarning = (w: Error): void => void warnings.push(w.message);
      process.on('warning', onWarning);
      const names = Array.from({ length: 12 }, (_, i) => `projection:p${i}`);
      const answers = await Promise.all(names.map((n) => Promise.all([a.hold(n), b.hold(n)])));
      await sleep(20);
      process.off('warning', onWarning);
      // many leases asked for at once still send one query at a time on a node's lease connection
      expect(warnings.filter((m) => m.includes('already executing a query'))).toEqual([]);
      for (const [i, [byA, byB]] of answers.entries()) expect(byA !== byB, `${names[i]}: a ${byA}, b ${byB}`).toBe(true);
      // asked again, the same node holds each
      for (const [i, n] of names.entries()) expect([await a.hold(n), await b.hold(n)]).toEqual(answers[i]);
      expect([...a.holding, ...b.holding].sort()).toEqual([...names].sort());
      await a.close();
      await b.close();
    });

    it('moves a lease to the other node when the holder closes its connection', async () => {
      const [a, b] = twoNodes();
      expect(await a.hold('scheduled:purge')).toBe(true);
      expect(await b.hold('scheduled:purge')).toBe(false);
      await a.close();
      const took = await takeOver(b, 'scheduled:purge', 3_000);
      expect(took).toBeLessThan(3_000);
      expect(b.holding).toEqual(['scheduled:purge']);
      await b.close();
    });

    it('moves a lease to the other node within seconds when the holder’s backend is terminated, and the old holder lets go of it', async () => {
      const [a, b] = twoNodes();
      expect(await a.hold('projection:device-list')).toBe(true);
      expect(await b.hold('projection:device-list')).toBe(false);
      const holders = await lockHolders();
      expect(holders).toHaveLength(1);
      // the holder's connection dies, as when its node loses the network or PostgreSQL restarts its session
      const killedAt = Date.now();
      await admin.query('SELECT pg_terminate_backend($1)', [holders[0]]);

      const took = await takeOver(b, 'projection:device-list', 5_000);
      expect(took).toBeLessThan(5_000);
      // the old holder learns it lost the session (at once, or at its next check of the connection)
      while (a.holding.includes('projection:device-list') || (await a.hold('projection:device-list'))) {
        if (Date.now() - killedAt > 5_000) throw new Error('the old holder still claims the lease');
        await sleep(50);
      }
      // from then on only the new holder has it, whoever asks
      for (let i = 0; i < 5; i++) {
        expect(await a.hold('projection:device-list')).toBe(false);
        expect(await b.hold('projection:device-list')).toBe(true);
        await sleep(250);
      }
      const now = await lockHolders();
      expect(now).toHaveLength(1);
      expect(now[0]).not.toBe(holders[0]);
    });
  });

  describe('outbox delivery', () => {
    it('sends a domain\'s new notices from one node, and from the other once the first has no Users of it', async () => {
      // the outbox read model both nodes read (its projection is not what is tested here)
      const readModels = new MemoryReadModelStore();
      let position = 0;
      const notice = async (n: number): Promise<void> => {
        const push = { mt: 'PhoneProvisioned', id: `n${n}`, mac: `00:00:00:00:00:0${n}`, code: null, model: 'IP232', at: '2026-12-08T00:00:00.000Z' };
        const expected = position === 0 ? undefined : { generation: 1, position };
        position++;
        await readModels.commit({ projection: OUTBOX, slot: 'live', expected, generation: 1, version: 1, position, changes: [put(PENDING, `${pendingPrefix('example.com')}${String(n).padStart(8, '0')}`, { domain: 'example.com', push })] });
      };
      const nodes = [0, 1].map(() => {
        const nodeLeases = new PostgresLeases(db.url, { retryEveryMs: 20 });
        leases.push(nodeLeases);
        return new OutboxDispatcher({ events: new MemoryEventStore(), readModels, projections: { caughtUp: async () => undefined }, pollIntervalMs: 20, leases: nodeLeases });
      });
      const received: string[][] = [[], []];
      const receivers: PushReceiver[] = [0, 1].map((i) => ({ domain: 'example.com', push: (push) => (received[i]!.push(push.id), true) }));
      for (const node of nodes) node.start();
      try {
        await notice(1);
        nodes[0]!.attach(receivers[0]!);
        nodes[1]!.attach(receivers[1]!);
        await sleep(200);
        expect(received).toEqual([['n1'], ['n1']]); // a login gets the whole outbox, on any node
        await notice(2);
        await sleep(200);
        const sender = received.findIndex((r) => r.includes('n2'));
        expect(sender).toBeGreaterThanOrEqual(0);
        expect(received[1 - sender]).toEqual(['n1']); // the other node sent nothing live
        nodes[sender]!.detach(receivers[sender]!);
        await notice(3);
        await sleep(300);
        // unacknowledged, n2 is still in the outbox: the other node sends it and what came after
        expect(received[1 - sender]).toEqual(['n1', 'n2', 'n3']);
        expect(received[sender]).toEqual(['n1', 'n2']);
      } finally {
        for (const node of nodes) await node.stop();
      }
    });
  });
});
