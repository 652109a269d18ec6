/**
 * Stores from before personal parts: events written with their personal values inside
 * `data` still read and decode as they were, and a purge with the domain's declaration
 * (`legacyPaths`) moves those values out of the data, as null. SQLite: a file made with
 * the old table (no `personal` column) is opened; PostgreSQL: a database with the old table.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/adapters/eventstore/postgres';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite';
import { legacyPaths, withPersonal } from '../../src/application/personal-data';
import type { EventStore } from '../../src/application/ports/event-store';
import { decodeDomainEvent } from '../../src/domain';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { tempDir } from '../support/temp-dir';

const CODE = '123456789012';
const OLD_DATA = {
  codeHash: 'a'.repeat(64),
  code: CODE,
  userId: 'alice',
  category: 'office',
  rolloutId: null,
  expiresAt: '2026-03-08T09:00:00.000Z',
  at: '2026-03-01T09:00:00.000Z',
};
const STREAM = `userDevice-${'a'.repeat(64)}`;

async function expectLegacyBehaviour(store: EventStore): Promise<void> {
  const [old] = (await store.readStream(STREAM)).events;
  expect(old).toMatchObject({ type: 'PhoneCodeRequested', data: OLD_DATA });
  // (toMatchObject takes {} for any object: an event from before personal parts has none)
  expect(old!.personal ?? {}).toEqual({});
  expect(decodeDomainEvent(withPersonal(old!))).toMatchObject({ _tag: 'Right', right: { data: { code: CODE, userId: 'alice' } } });
  await store.purgePersonalData(STREAM, { legacyPaths });
  const [purged] = (await store.readStream(STREAM)).events;
  const { code: _, userId: __, ...rest } = OLD_DATA;
  expect(purged!.data).toEqual(rest);
  expect(purged!.personal).toEqual({ code: null, userId: null });
  expect(decodeDomainEvent(withPersonal(purged!))).toMatchObject({ _tag: 'Right', right: { data: { code: null, userId: null } } });
  // new appends beside the old rows use the new column
  await store.appendToStream(STREAM, [{ id: 'e2', type: 'Noted', data: { n: 1 }, personal: { code: CODE } }]);
  expect((await store.readStream(STREAM)).events[1]!.personal).toEqual({ code: CODE });
}

describe('events stored before personal parts existed', () => {
  it('SQLite: the column is added at open; old rows decode and are purged', async () => {
    const dir = tempDir('zt-legacy-');
    try {
      const file = join(dir.path, 'old.db');
      const db = new Database(file);
      db.exec(`CREATE TABLE zt_events (
        global_position INTEGER PRIMARY KEY AUTOINCREMENT, stream_name TEXT NOT NULL, stream_version INTEGER NOT NULL,
        event_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL)`);
      db.prepare('INSERT INTO zt_events (stream_name, stream_version, event_id, type, data, metadata, recorded_at) VALUES (?, 1, ?, ?, ?, ?, ?)').run(
        STREAM,
        'e1',
        'PhoneCodeRequested',
        JSON.stringify(OLD_DATA),
        '{}',
        OLD_DATA.at,
      );
      db.close();
      const store = SqliteEventStore.open(file);
      try {
        await expectLegacyBehaviour(store);
      } finally {
        await store.close();
      }
    } finally {
      dir.remove();
    }
  });

  describe('PostgreSQL', () => {
    let database: TestDatabase | undefined;
    afterAll(async () => database?.drop());

    it('the column and the new append function are added at open; old rows decode and are purged', async () => {
      database = await createTestDatabase('zt_legacy');
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query(`CREATE TABLE zt_events (
          global_position BIGSERIAL PRIMARY KEY, stream_name TEXT COLLATE "C" NOT NULL, stream_version BIGINT NOT NULL,
          event_id TEXT COLLATE "C" NOT NULL, type TEXT NOT NULL, data JSONB NOT NULL, metadata JSONB NOT NULL, recorded_at TIMESTAMPTZ NOT NULL)`);
        await client.query(`INSERT INTO zt_events (stream_name, stream_version, event_id, type, data, metadata, recorded_at) VALUES ($1, 1, 'e1', 'PhoneCodeRequested', $2, '{}', now())`, [
          STREAM,
          JSON.stringify(OLD_DATA),
        ]);
      } finally {
        await client.end();
      }
      const store = await PostgresEventStore.open(database.url, { poolSize: 2 });
      try {
        await expectLegacyBehaviour(store);
      } finally {
        await store.close();
      }
    });
  });
});
