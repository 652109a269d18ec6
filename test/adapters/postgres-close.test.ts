/**
 * Closing a PostgreSQL store while its connections are still going away: pg's Pool.end()
 * answers before every connection has closed, and a connection that then hears the server
 * end it (a database dropped WITH FORCE, a server shutting down) reports the error on the
 * pool. An 'error' event nobody listens to ends the process, so the store keeps its
 * handler on a pool it ended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/adapters/eventstore/postgres';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

describe('PostgreSQL event store closing', { timeout: 60_000 }, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('keeps listening for errors of the connections of the pool it ended', async () => {
    const store = await PostgresEventStore.open(db.url, { poolSize: 4 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => store.appendToStream(`close-${i}`, [{ id: `e-${i}`, type: 'A', data: {} }])));
    await store.close();
    expect(store.pool.listenerCount('error')).toBeGreaterThan(0);
    // what pg's pool does when a closing connection hears "terminating connection due to administrator command"
    expect(() => store.pool.emit('error', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).not.toThrow();
  });
});
