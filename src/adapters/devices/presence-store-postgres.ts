/**
 * The "last seen" table in PostgreSQL, beside the events: `zt_device_presence (mac,
 * last_seen)`. An upsert keeps the later time, so several app nodes may write it.
 */
import type pg from 'pg';
import type { PresenceStore } from '../../application/devices/presence';
import { quoteIdent, runSchemaDdl } from '../eventstore/postgres';
import { queryPool } from '../eventstore/postgres-sql';

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
    await queryPool(
      this.pool,
      `INSERT INTO ${this.table} (mac, last_seen) SELECT * FROM unnest($1::text[], $2::timestamptz[])
       ON CONFLICT (mac) DO UPDATE SET last_seen = GREATEST(${this.table}.last_seen, excluded.last_seen)`,
      [[...seen.keys()], [...seen.values()]],
    );
  }

  async load(macs: readonly string[]): Promise<ReadonlyMap<string, string>> {
    if (macs.length === 0) return new Map();
    const result = await queryPool<{ mac: string; last_seen: Date }>(this.pool, `SELECT mac, last_seen FROM ${this.table} WHERE mac = ANY($1::text[])`, [macs]);
    return new Map(result.rows.map((row) => [row.mac, row.last_seen.toISOString()]));
  }
}
