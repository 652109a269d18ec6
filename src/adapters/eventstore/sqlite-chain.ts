/**
 * The hash chain of the SQLite store (docs/stores.md, "Tamper evidence"): the chain columns
 * of `zt_events`, the tombstones of deleted events, the chain's head, and the reads
 * `audit verify` pages through.
 *
 * Appends run inside the store's IMMEDIATE batch transaction, which holds the file's write
 * lock: `begin` reads the head and the last allocated position there, each append takes
 * its positions and links from the cursor (advancing it only once all its rows are in, so
 * a savepoint rolled back leaves it as it was), and `end` writes the head once per batch.
 * Positions are given explicitly (the chain covers them), continuing the AUTOINCREMENT
 * sequence, which SQLite advances past any explicit key.
 */
import type Database from 'better-sqlite3';
import type { ChainEntry, ChainHead, NewEvent, ReadChainResult } from '../../application/ports/event-store';
import { toJsonText } from '../../application/ports/event-store-checks';
import { CHAIN_FORMAT, GENESIS_DIGEST, contentDigestOf, linkDigest, sealPersonal } from '../../application/audit/chain-format';

/** the chain's columns in a fresh table (also added to a file from before the chain) */
export const CHAIN_COLUMNS_SQL = `chain_digest TEXT, content_digest TEXT, personal_digest TEXT, personal_salt TEXT`;
const CHAIN_COLUMNS = ['chain_digest', 'content_digest', 'personal_digest', 'personal_salt'];

const CHAIN_SCHEMA = `
CREATE TABLE IF NOT EXISTS zt_chain_tombstones (
  global_position INTEGER PRIMARY KEY,
  chain_digest    TEXT NOT NULL,
  content_digest  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS zt_chain_head (
  id             INTEGER PRIMARY KEY CHECK (id = 1),
  start_position INTEGER NOT NULL,
  position       INTEGER NOT NULL,
  digest         TEXT    NOT NULL
);`;

type ChainRow = [position: number, digest: string | null, contentDigest: string | null, canonical: string, personal: string, personalDigest: string | null, personalSalt: string | null];

/**
 * The canonical form made by SQLite from the stored columns: one string per row to read
 * instead of nine (json_quote escapes as JSON.stringify does; the contract suite proves it)
 */
const CANONICAL_SQL = `'["${CHAIN_FORMAT}",' || global_position || ',' || json_quote(stream_name) || ',' || stream_version || ',' || json_quote(event_id)
  || ',' || json_quote(type) || ',' || json_quote(recorded_at) || ',' || data || ',' || metadata || ',' || coalesce('"' || personal_digest || '"', 'null') || ']'`;

export interface ChainCursor {
  /** the last allocated position */
  seq: number;
  /** the last chained position and its digest */
  position: number;
  digest: string;
  readonly start: { position: number; digest: string };
}

/**
 * Add the chain to a file (idempotent, in one IMMEDIATE transaction so two processes
 * opening at once agree): a file from before the chain keeps its rows unchained and the
 * chain starts after its last allocated position.
 */
export function migrateChain(db: Database.Database): void {
  db.transaction(() => {
    const columns = new Set(db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('zt_events')").all().map((c) => c.name));
    for (const column of CHAIN_COLUMNS) if (!columns.has(column)) db.exec(`ALTER TABLE zt_events ADD COLUMN ${column} TEXT`);
    db.exec(CHAIN_SCHEMA);
    const seq = lastAllocated(db);
    db.prepare('INSERT OR IGNORE INTO zt_chain_head (id, start_position, position, digest) VALUES (1, ?, ?, ?)').run(seq, seq, GENESIS_DIGEST);
  }).immediate();
}

function lastAllocated(db: Database.Database): number {
  const row = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'zt_events'").get();
  const max = db.prepare<[], { head: number | null }>('SELECT MAX(global_position) AS head FROM zt_events').get();
  return Math.max(row?.seq ?? 0, max?.head ?? 0);
}

export class SqliteChain {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      head: db.prepare<[], { start_position: number; position: number; digest: string }>('SELECT start_position, position, digest FROM zt_chain_head WHERE id = 1'),
      seq: db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'zt_events'"),
      setHead: db.prepare<[number, string]>('UPDATE zt_chain_head SET position = ?, digest = ? WHERE id = 1'),
      insert: db.prepare<[number, string, number, string, string, string, string, string, string, string, string, string | null, string | null]>(
        `INSERT INTO zt_events (global_position, stream_name, stream_version, event_id, type, data, metadata, recorded_at, personal,
           chain_digest, content_digest, personal_digest, personal_salt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      tombstones: db.prepare<[string]>(
        `INSERT INTO zt_chain_tombstones (global_position, chain_digest, content_digest)
         SELECT global_position, chain_digest, content_digest FROM zt_events WHERE stream_name = ? AND chain_digest IS NOT NULL`,
      ),
      entries: db
        .prepare<[number, number], ChainRow>(
          `SELECT global_position, chain_digest, content_digest, ${CANONICAL_SQL}, personal, personal_digest, personal_salt
             FROM zt_events WHERE global_position > ? ORDER BY global_position LIMIT ?`,
        )
        .raw(true),
      deleted: db
        .prepare<[number, number, number], [number, string, string]>(
          `SELECT global_position, chain_digest, content_digest FROM zt_chain_tombstones
            WHERE global_position > ? AND global_position <= ? ORDER BY global_position LIMIT ?`,
        )
        .raw(true),
    };
  }

  /** inside the batch transaction: where the chain stands */
  begin(): ChainCursor {
    const head = this.s.head.get()!;
    const seq = Math.max(this.s.seq.get()?.seq ?? 0, head.position);
    return { seq, position: head.position, digest: head.digest, start: { position: head.position, digest: head.digest } };
  }

  /** write one append's events at the cursor; the cursor moves only once all are in */
  insert(cursor: ChainCursor, streamName: string, firstVersion: number, events: readonly NewEvent[], recordedAt: string): number {
    let seq = cursor.seq;
    let digest = cursor.digest;
    let version = firstVersion;
    for (const e of events) {
      const position = ++seq;
      const data = toJsonText(e.data);
      const metadata = toJsonText(e.metadata);
      const personal = JSON.stringify(e.personal ?? {});
      const sealed = sealPersonal(personal);
      const contentDigest = contentDigestOf({ position, streamName, streamVersion: version, id: e.id, type: e.type, recordedAt, data, metadata, personalDigest: sealed.digest });
      digest = linkDigest(digest, contentDigest);
      this.s.insert.run(position, streamName, version, e.id, e.type, data, metadata, recordedAt, personal, digest, contentDigest, sealed.digest, sealed.salt);
      version++;
    }
    cursor.seq = seq;
    cursor.position = seq;
    cursor.digest = digest;
    return seq;
  }

  /** the end of the batch transaction: the head, when it moved */
  end(cursor: ChainCursor): void {
    if (cursor.position !== cursor.start.position) this.s.setHead.run(cursor.position, cursor.digest);
  }

  /** before a stream's rows are deleted: their tombstones */
  entomb(streamName: string): void {
    this.s.tombstones.run(streamName);
  }

  head(): ChainHead {
    const row = this.s.head.get()!;
    return { startPosition: row.start_position, position: row.position, digest: row.digest };
  }

  read(after: number, limit: number): ReadChainResult {
    const rows = this.s.entries.all(after, limit);
    const upTo = rows.length === limit ? rows[rows.length - 1]![0] : Number.MAX_SAFE_INTEGER;
    const deleted = this.s.deleted.all(after, upTo, limit);
    const entries: ChainEntry[] = new Array<ChainEntry>(rows.length);
    for (let i = 0; i < rows.length; i++) entries[i] = toEntry(rows[i]!);
    if (deleted.length > 0) {
      for (const [position, digest, contentDigest] of deleted) entries.push({ position, digest, contentDigest });
      entries.sort((a, b) => a.position - b.position);
      entries.length = Math.min(entries.length, limit);
    }
    return { entries, position: entries.length > 0 ? entries[entries.length - 1]!.position : after };
  }
}

function toEntry(r: ChainRow): ChainEntry {
  return {
    position: r[0],
    digest: r[1],
    contentDigest: r[2],
    content: { canonical: r[3], personal: r[4], personalDigest: r[5], personalSalt: r[6] },
  };
}
