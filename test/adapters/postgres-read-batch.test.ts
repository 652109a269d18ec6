/**
 * Stream reads asked for in the same turn of the event loop travel to PostgreSQL as one
 * statement; each answers as if read alone, and a read the server refuses fails alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidEventError, type ReadStreamResult } from '../../src/application/ports/event-store';
import { PostgresEventStore } from '../../src/adapters/eventstore/postgres';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

describe('PostgreSQL stream reads of one moment, together', { timeout: 60_000 }, () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  let statements = 0;
  beforeAll(async () => {
    db = await createTestDatabase();
    store = await PostgresEventStore.open(db.url);
    const query = store.pool.query.bind(store.pool);
    store.pool.query = ((...args: Parameters<typeof query>) => {
      statements++;
      return query(...args);
    }) as typeof store.pool.query;
    await store.appendToStream('batch-a', [1, 2, 3].map((n) => ({ id: `a-${n}`, type: 'A', data: { n } })));
    await store.appendToStream('batch-b', [1, 2].map((n) => ({ id: `b-${n}`, type: 'B', data: { n } })));
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  const asks = (): Array<() => Promise<ReadStreamResult>> => [
    () => store.readStream('batch-a'),
    () => store.readStream('batch-a', { from: 2 }),
    () => store.readStream('batch-b', { from: 3 }),
    () => store.readStream('batch-b', { from: Number.MAX_SAFE_INTEGER }),
    () => store.readStream('batch-missing'),
    () => store.readStream('batch-missing', { from: 4 }),
  ];

  it('answers each read of one moment as alone, in one statement', async () => {
    const alone: ReadStreamResult[] = [];
    for (const ask of asks()) alone.push(await ask());
    statements = 0;
    const together = await Promise.all(asks().map((ask) => ask()));
    expect(statements).toBe(1);
    expect(together).toEqual(alone);
    expect(together[0]!.events.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(together[1]!.events.map((e) => e.streamVersion)).toEqual([2, 3]);
    expect(together[2]).toEqual({ currentVersion: 2, streamExists: true, events: [] });
    expect(together[4]).toEqual({ currentVersion: 0, streamExists: false, events: [] });
  });

  it('sees a write that finished before the read was asked for', async () => {
    const before = store.readStream('batch-c');
    await store.appendToStream('batch-c', [{ id: 'c-1', type: 'C', data: {} }]);
    const after = await Promise.all([store.readStream('batch-c'), store.readStream('batch-a', { from: 3 })]);
    expect((await before).currentVersion).toBe(0);
    expect(after[0]!.currentVersion).toBe(1);
  });

  it('fails only the read PostgreSQL refuses (a NUL character in its name)', async () => {
    const results = await Promise.allSettled([store.readStream('batch-a', { from: 3 }), store.readStream('bad\u0000name'), store.readStream('batch-b')]);
    expect(results[0]).toMatchObject({ status: 'fulfilled', value: { currentVersion: 3 } });
    expect(results[1]!.status).toBe('rejected');
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(InvalidEventError);
    expect(results[2]).toMatchObject({ status: 'fulfilled', value: { currentVersion: 2 } });
  });

  it('reads hundreds of streams of one moment in a few statements', async () => {
    await Promise.all(Array.from({ length: 450 }, (_, i) => store.appendToStream(`batch-many-${i}`, [{ id: `m-${i}`, type: 'M', data: { i } }])));
    statements = 0;
    const reads = await Promise.all(Array.from({ length: 450 }, (_, i) => store.readStream(`batch-many-${i}`)));
    expect(reads.map((r) => r.events[0]!.data)).toEqual(Array.from({ length: 450 }, (_, i) => ({ i })));
    expect(statements).toBe(3);
  });
});
