/**
 * Where the "last seen" times of phones are written (see application/devices/presence.ts):
 * a small table beside the events, outside the event log: `zt_device_presence (mac,
 * last_seen)`. An upsert keeps the later time, so several app nodes may write it.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';
import type { PresenceStore } from '../../application/devices/presence';
import { quoteIdent, runSchemaDdl } from '../eventstore/postgres';

const laterOf = (a: string | undefined, b: string): string => (a !== undefined && Date.parse(a) >= Date.parse(b) ? a : b);

export class MemoryPresenceStore implements PresenceStore {
  private readonly times = new Map<string, string>();

  async save(seen: ReadonlyMap<string, string>): Promise<void> {
    for (const [mac, at] of seen) this.times.set(mac, laterOf(this.times.get(mac), at));
  }

  async load(macs: readonly string[]): Promise<ReadonlyMap<string, string>> {
    return new Map(macs.flatMap((mac) => (this.times.has(mac) ? [[mac, this.times.get(mac)!] as const] : [])));
  }
}

export class SqlitePresenceStore implements PresenceStore {
  private readonly upsert: (seen: ReadonlyMap<string, string>) => void;
  private readonly select: Database.Statement<[string], { last_seen: string }>;

  constructor(db: Database.Database) {
    db.exec('CREATE TABLE IF NOT EXISTS zt_device_presence (mac TEXT PRIMARY KEY, last_seen TEXT NOT NULL) WITHOUT ROWID');
    // canonical RFC 3339 UTC times compare as text
    const put = db.prepare<[string, string]>(
      'INSERT INTO zt_device_presence (mac, last_seen) VALUES (?, ?) ON CONFLICT (mac) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)',
    );
    this.upsert = db.transaction((seen: ReadonlyMap<string, string>) => {
      for (const [mac, at] of seen) put.run(mac, at);
    }).immediate;
    this.select = db.prepare<[string], { last_seen: string }>('SELECT last_seen FROM zt_device_presence WHERE mac = ?');
  }

  async save(seen: ReadonlyMap<string, string>): Promise<void> {
    this.upsert(seen);
  }

  async load(macs: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const out = new Map<string, string>();
    for (const mac of macs) {
      const row = this.select.get(mac);
      if (row) out.set(mac, row.last_seen);
    }
    return out;
  }
}

export class PostgresPresenceStore implements PresenceStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
  ) {}

  static async open(pool: pg.Pool, schema: string): Promise<PostgresPresenceStore> {
    const table = `${quoteIdent(schema)}.zt_device_presence`;
    await runSchemaDdl(pool, schema, [`CREATE TABLE IF NOT EXISTS ${table} (mac TEXT PRIMARY KEY, last_seen TIMESTAMPTZ NOT NULL)`]);
    return new PostgresPresenceStore(pool, table);
  }

  async save(seen: ReadonlyMap<string, string>): Promise<void> {
    if (seen.size === 0) return;
    await this.pool.query(
      `INSERT INTO ${this.table} (mac, last_seen) SELECT * FROM unnest($1::text[], $2::timestamptz[])
       ON CONFLICT (mac) DO UPDATE SET last_seen = GREATEST(${this.table}.last_seen, excluded.last_seen)`,
      [[...seen.keys()], [...seen.values()]],
    );
  }

  async load(macs: readonly string[]): Promise<ReadonlyMap<string, string>> {
    if (macs.length === 0) return new Map();
    const result = await this.pool.query<{ mac: string; last_seen: Date }>(`SELECT mac, last_seen FROM ${this.table} WHERE mac = ANY($1::text[])`, [macs]);
    return new Map(result.rows.map((row) => [row.mac, row.last_seen.toISOString()]));
  }
}
