/** The SQLite store's table, and how every zerotouch connection opens a file. */
import Database from 'better-sqlite3';
import { INLINE_AUTOCHECKPOINT_PAGES } from './sqlite-checkpoints';
import { CHAIN_COLUMNS_SQL } from './sqlite-chain';

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS zt_events (
  global_position INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_name     TEXT    NOT NULL,
  stream_version  INTEGER NOT NULL,
  event_id        TEXT    NOT NULL,
  type            TEXT    NOT NULL,
  data            TEXT    NOT NULL,
  metadata        TEXT    NOT NULL,
  recorded_at     TEXT    NOT NULL,
  personal        TEXT    NOT NULL DEFAULT '{}',
  ${CHAIN_COLUMNS_SQL}
);
CREATE UNIQUE INDEX IF NOT EXISTS zt_events_stream ON zt_events (stream_name, stream_version);
-- one per-stream index only: every append dirties a page of each per-stream index for
-- every stream it touches, so a second index (by event id) or a stream table doubled or
-- tripled what a commit of many streams writes. A stream's version is its highest event
-- (0 once deleted); ids are looked up within the stream when idempotency is in question.
DROP INDEX IF EXISTS zt_events_stream_id;
DROP TABLE IF EXISTS zt_streams;
`;

/**
 * A file from before personal parts existed has no `personal` column: add it (its rows get
 * `{}`; their personal values, inside `data`, are moved out when their stream is purged,
 * see PurgeOptions.legacyPaths).
 */
export function addPersonalColumn(db: Database.Database): void {
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('zt_events')").all();
  if (!columns.some((c) => c.name === 'personal')) db.exec(`ALTER TABLE zt_events ADD COLUMN personal TEXT NOT NULL DEFAULT '{}'`);
}

/** Open (and create) the SQLite file with the settings every zerotouch connection uses. */
export function openSqliteDatabase(path: string, synchronous: 'NORMAL' | 'FULL' = 'NORMAL'): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  // deleted and overwritten content is zeroed, not left in free pages and cells: a purge
  // really removes the bytes (docs/security.md, "What a purge leaves behind")
  db.pragma('secure_delete = ON');
  // 16 MiB page cache: the OS caches the file as well, and a larger cache measured no faster
  // (appends, reads of random streams, full replays) while a replay filled all of it
  db.pragma('cache_size = -16384');
  db.pragma(`wal_autocheckpoint = ${INLINE_AUTOCHECKPOINT_PAGES}`);
  return db;
}

