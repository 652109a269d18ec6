/**
 * A node on the database's own machine may reach PostgreSQL over its Unix socket
 * (docs/operations.md, "Stores"): the URL's host is the socket's directory, percent-encoded.
 * Every connection of the storage (the pool, the leases, LISTEN) takes that path.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresEventStore } from '../../src/adapters/eventstore/postgres';
import { openStorage } from '../../src/adapters/server/storage';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const SOCKET_DIR = '/var/run/postgresql';
const hasSocket = existsSync(join(SOCKET_DIR, '.s.PGSQL.5432'));
if (!hasSocket) console.warn(`PostgreSQL Unix socket test skipped: no ${SOCKET_DIR}/.s.PGSQL.5432 on this machine`);

describe.skipIf(!hasSocket)('PostgreSQL storage over the Unix socket', { timeout: 60_000 }, () => {
  let db: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'zt-socket-'));
  });
  afterAll(async () => {
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('appends, reads and takes leases through a socket URL, and its banner names no credential', async () => {
    const url = `postgres://postgres:secret@${encodeURIComponent(SOCKET_DIR)}/${db.name}`;
    const storage = await openStorage(url, dataDir);
    try {
      expect(storage.description).not.toContain('secret');
      await storage.events.appendToStream('socket-1', [{ id: 'e-1', type: 'A', data: { n: 1 } }], { expectedVersion: 'no-stream' });
      const read = await storage.events.readStream('socket-1');
      expect(read.events.map((e) => e.data)).toEqual([{ n: 1 }]);
      expect(await storage.leases.hold('socket-test')).toBe(true);
      // a connection over a Unix socket has no client address
      const { rows } = await (storage.events as PostgresEventStore).pool.query<{ client_addr: string | null }>(
        'SELECT client_addr FROM pg_stat_activity WHERE pid = pg_backend_pid()',
      );
      expect(rows).toEqual([{ client_addr: null }]);
    } finally {
      await storage.close();
    }
  });
});
