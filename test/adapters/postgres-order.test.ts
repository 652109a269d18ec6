/**
 * What the contract suite cannot see from outside one store: the PostgreSQL adapter's
 * global order under load from several processes (pools) with a reader paging all the
 * while, its group commit keeping each append's own outcome, NOTIFY wake-ups across
 * processes (also after the LISTEN connection drops), and its behaviour when closed or
 * unreachable.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/adapters/eventstore/postgres';
import {
  InvalidEventError,
  StoreUnavailableError,
  WrongExpectedVersionError,
  type NewEvent,
  type RecordedEvent,
} from '../../src/application/ports/event-store';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const ev = (type: string, data: Record<string, unknown> = {}, id: string = randomUUID()): NewEvent =>
  ({ id, type, data, metadata: { actor: 'test' } }) as NewEvent;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readEverything(store: PostgresEventStore, after = 0): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let position = after;
  for (;;) {
    const page = await store.readAll({ after: position, limit: 5000 });
    if (page.events.length === 0) return all;
    all.push(...page.events);
    position = page.position;
  }
}

describe('PostgreSQL event store', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  const stores: PostgresEventStore[] = [];
  const open = async (options: Parameters<typeof PostgresEventStore.open>[1] = {}): Promise<PostgresEventStore> => {
    const store = await PostgresEventStore.open(db.url, { poolSize: 6, ...options });
    stores.push(store);
    return store;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await db?.drop();
  });

  it('creates its schema once when several processes open at the same time', async () => {
    const opened = await Promise.all(Array.from({ length: 4 }, () => open({ poolSize: 2 })));
    const other = await open({ schema: 'zt_other_tenant', poolSize: 2 });
    await opened[0]!.appendToStream('schema-check', [ev('A')]);
    expect((await opened[3]!.readStream('schema-check')).currentVersion).toBe(1);
    expect((await other.readStream('schema-check')).streamExists).toBe(false);
    expect(await other.headPosition()).toBe(0);
  });

  it('never skips or repeats an event: writers in two processes, a reader paging all the while', async () => {
    const [a, b, reader] = await Promise.all([open(), open(), open()]);
    const start = await reader.headPosition();
    const tag = randomUUID().slice(0, 8);
    const runForMs = 4000;
    const writersPerStore = 24;
    let writing = true;
    let writersDone = false;
    let appended = 0;

    const seen: RecordedEvent[] = [];
    let pages = 0;
    const readerLoop = (async () => {
      let position = start;
      for (;;) {
        const stillWriting = !writersDone;
        const page = await reader.readAll({ after: position, limit: 97 });
        pages++;
        seen.push(...page.events);
        position = page.position;
        if (page.events.length === 0 && !stillWriting) return;
      }
    })();

    const writer = async (store: PostgresEventStore, w: string): Promise<void> => {
      for (let i = 0; writing; i++) {
        // few streams per writer and some shared by all: appends meet on streams and across processes
        const stream = i % 5 === 0 ? `order-${tag}-shared-${i % 3}` : `order-${tag}-${w}-${i % 4}`;
        const count = 1 + (i % 3 === 0 ? 2 : 0);
        await store.appendToStream(stream, Array.from({ length: count }, (_, j) => ev('Ordered', { w, i, j })));
        appended += count;
      }
    };
    const writers = [
      ...Array.from({ length: writersPerStore }, (_, w) => writer(a, `a${w}`)),
      ...Array.from({ length: writersPerStore }, (_, w) => writer(b, `b${w}`)),
    ];
    await sleep(runForMs);
    writing = false;
    await Promise.all(writers);
    writersDone = true; // the reader stops at the first empty page read after this
    await readerLoop;

    const final = await readEverything(reader, start);
    const mine = final.filter((e) => e.streamName.startsWith(`order-${tag}-`));
    expect(mine).toHaveLength(appended);
    expect(appended).toBeGreaterThan(1000);
    expect(pages).toBeGreaterThan(20);
    // what the reader collected while appends were committing is exactly the final log: no gap, no repeat
    expect(seen.length).toBe(final.length);
    expect(seen.map((e) => [e.globalPosition, e.id])).toEqual(final.map((e) => [e.globalPosition, e.id]));
    for (let i = 1; i < final.length; i++) expect(final[i]!.globalPosition).toBeGreaterThan(final[i - 1]!.globalPosition);
    // each stream numbered 1..n without holes, in global order
    const versions = new Map<string, number>();
    for (const e of mine) {
      const expected = (versions.get(e.streamName) ?? 0) + 1;
      expect(e.streamVersion).toBe(expected);
      versions.set(e.streamName, expected);
    }
  });

  it('keeps each append of a group-committed burst to its own check and outcome', async () => {
    const store = await open();
    const s = (name: string): string => `burst-${name}-${randomUUID().slice(0, 8)}`;
    const opened = s('opened');
    const chain = s('chain');
    const race = s('race');
    const retried = s('retried');
    await store.appendToStream(opened, [ev('Opened')]);
    const original = [ev('Original'), ev('Original')];
    const first = await store.appendToStream(retried, original, { expectedVersion: 'no-stream' });
    const head = await store.headPosition();

    // all in one turn of the event loop: they travel in one batch
    const settle = <T>(p: Promise<T>): Promise<T | unknown> => p.then((v) => v, (e: unknown) => e);
    const outcomes = await Promise.all([
      settle(store.appendToStream(opened, [ev('Right')], { expectedVersion: 1 })),
      settle(store.appendToStream(opened, [ev('Wrong')], { expectedVersion: 1 })), // the one before moved it to 2
      settle(store.appendToStream(opened, [ev('Next')], { expectedVersion: 2 })), // sees the first of the burst
      settle(store.appendToStream(chain, [ev('One')], { expectedVersion: 'no-stream' })),
      settle(store.appendToStream(chain, [ev('Two')], { expectedVersion: 1 })), // sees the one before
      settle(store.appendToStream(race, [ev('Mine')], { expectedVersion: 'no-stream' })),
      settle(store.appendToStream(race, [ev('Yours')], { expectedVersion: 'no-stream' })),
      settle(store.appendToStream(retried, original, { expectedVersion: 'no-stream' })), // idempotent retry
      settle(store.appendToStream(retried, [original[0]!, ev('New')])), // only some ids repeated
      settle(store.appendToStream(s('missing'), [ev('X')], { expectedVersion: 1 })),
    ]);

    expect(outcomes[0]).toMatchObject({ nextExpectedVersion: 2 });
    expect(outcomes[1]).toBeInstanceOf(WrongExpectedVersionError);
    expect((outcomes[1] as WrongExpectedVersionError).actual).toBe(2);
    expect(outcomes[2]).toMatchObject({ nextExpectedVersion: 3 });
    expect(outcomes[3]).toMatchObject({ nextExpectedVersion: 1 });
    expect(outcomes[4]).toMatchObject({ nextExpectedVersion: 2 });
    expect(outcomes[5]).toMatchObject({ nextExpectedVersion: 1 });
    expect(outcomes[6]).toBeInstanceOf(WrongExpectedVersionError);
    expect(outcomes[7]).toEqual(first);
    expect(outcomes[8]).toBeInstanceOf(InvalidEventError);
    expect(outcomes[9]).toBeInstanceOf(WrongExpectedVersionError);

    expect((await store.readStream(opened)).events.map((e) => e.type)).toEqual(['Opened', 'Right', 'Next']);
    expect((await store.readStream(chain)).events.map((e) => e.type)).toEqual(['One', 'Two']);
    expect((await store.readStream(race)).events.map((e) => e.type)).toEqual(['Mine']);
    expect((await store.readStream(retried)).events.map((e) => e.type)).toEqual(['Original', 'Original']);
    const written = (await readEverything(store, head)).filter((e) => e.streamName.startsWith('burst-'));
    expect(written).toHaveLength(5);
    // one batch, one transaction: one recording time for all of them
    expect(new Set(written.map((e) => e.recordedAt)).size).toBe(1);
  });

  it('fails only the append holding a value PostgreSQL refuses, not its batch neighbours', async () => {
    const store = await open();
    const streams = Array.from({ length: 5 }, (_, i) => `poison-${i}-${randomUUID().slice(0, 8)}`);
    const outcomes = await Promise.all(
      streams.map((stream, i) =>
        store
          .appendToStream(stream, [ev('Maybe', i === 2 ? { text: 'nul \u0000 inside' } : { text: 'fine' })])
          .then(() => 'ok', (e: unknown) => e),
      ),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(4);
    expect(outcomes[2]).toBeInstanceOf(InvalidEventError);
    expect((await store.readStream(streams[2]!)).streamExists).toBe(false);
    expect((await store.readStream(streams[3]!)).currentVersion).toBe(1);
  });

  it('wakes watchers of another process by NOTIFY, also after its LISTEN connection was cut', async () => {
    const writer = await open();
    const watcher = await open({ pollIntervalMs: 60_000 });
    let calls = 0;
    const stop = watcher.watch(() => calls++);
    try {
      const waitForCall = async (before: number): Promise<void> => {
        for (let i = 0; i < 200 && calls === before; i++) await sleep(10);
        expect(calls).toBeGreaterThan(before);
      };
      await sleep(200); // the LISTEN connection comes up
      let before = calls;
      await writer.appendToStream(`notify-${randomUUID()}`, [ev('Hello')]);
      await waitForCall(before);

      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      try {
        const killed = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'zerotouch-listen'`,
        );
        expect(killed.rowCount).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      await sleep(1000); // reconnects with backoff
      before = calls;
      await writer.appendToStream(`notify-${randomUUID()}`, [ev('Again')]);
      await waitForCall(before);
    } finally {
      stop();
    }
  });

  it('names the event types of another process\'s appends in its NOTIFY, and of its own appends', async () => {
    const writer = await open();
    const watcher = await open({ pollIntervalMs: 60_000 });
    const remote: Array<ReadonlySet<string> | undefined> = [];
    const local: Array<ReadonlySet<string> | undefined> = [];
    const stops = [watcher.watch((types) => remote.push(types)), writer.watch((types) => local.push(types))];
    try {
      await sleep(200); // the LISTEN connections come up
      remote.length = 0;
      local.length = 0;
      const tag = randomUUID().slice(0, 8);
      await Promise.all([
        writer.appendToStream(`types-${tag}-1`, [ev(`First-${tag}`), ev(`Second-${tag}`)]),
        writer.appendToStream(`types-${tag}-2`, [ev(`First-${tag}`)]),
      ]);
      for (let i = 0; i < 200 && remote.length === 0; i++) await sleep(10);
      const named = (calls: Array<ReadonlySet<string> | undefined>): string[] =>
        [...new Set(calls.flatMap((types) => [...(types ?? [])]))].filter((t) => t.endsWith(tag)).sort();
      expect(remote.length).toBeGreaterThan(0);
      expect(remote.every((types) => types !== undefined)).toBe(true);
      expect(named(remote)).toEqual([`First-${tag}`, `Second-${tag}`]);
      // the writer is woken at once by its own append, and again by its NOTIFY
      expect(local[0]).toEqual(new Set([`First-${tag}`, `Second-${tag}`]));
    } finally {
      for (const stop of stops) stop();
    }
  });

  it('finishes queued appends on close, then refuses with StoreUnavailableError', async () => {
    const store = await PostgresEventStore.open(db.url, { poolSize: 2 });
    const stream = `closing-${randomUUID()}`;
    const pending = Array.from({ length: 50 }, (_, i) => store.appendToStream(stream, [ev('Queued', { i })]));
    await store.close();
    const results = await Promise.all(pending);
    expect(results.map((r) => r.nextExpectedVersion).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await expect(store.appendToStream(stream, [ev('Late')])).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readAll()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await store.ping()).toBe(false);
    const reader = await open();
    expect((await reader.readStream(stream)).currentVersion).toBe(50);
  });

  it('answers StoreUnavailableError when the server cannot be reached', async () => {
    const url = new URL(db.url);
    url.port = '1'; // nothing listens there
    await expect(PostgresEventStore.open(url.toString(), { connectionTimeoutMs: 2000 })).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
