/**
 * Small tables beside the events in PostgreSQL, outside the event log: the set-up record
 * (`zt_setup`: facts of the first set-up, first writer wins) and the buckets of the guess
 * throttle (`zt_throttle`), shared by every node on the database.
 */
import type pg from 'pg';
import type { SetupRecord } from '../../application/ports/setup-record';
import type { ThrottleStore } from '../../application/ports/throttle-store';
import type { Bucket, ThrottlePolicy } from '../../domain/throttle';
import { StoreUnavailableError } from '../../application/ports/event-store';
import { MomentBatch } from './moment-batch';
import { quoteIdent, runSchemaDdl } from './postgres';
import { queryPool } from './postgres-sql';

export class PostgresSetupRecord implements SetupRecord {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
  ) {}

  static async open(pool: pg.Pool, schema: string): Promise<PostgresSetupRecord> {
    const table = `${quoteIdent(schema)}.zt_setup`;
    await runSchemaDdl(pool, schema, [`CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, value TEXT NOT NULL, recorded_at TIMESTAMPTZ NOT NULL DEFAULT now())`], {
      relations: [table],
      functions: [],
    });
    return new PostgresSetupRecord(pool, table);
  }

  async get(key: string): Promise<string | undefined> {
    const result = await queryPool<{ value: string }>(this.pool, `SELECT value FROM ${this.table} WHERE key = $1`, [key]);
    return result.rows[0]?.value;
  }

  async claim(key: string, value: string): Promise<string> {
    await queryPool(this.pool, `INSERT INTO ${this.table} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [key, value]);
    const stays = await this.get(key);
    if (stays === undefined) throw new Error(`the set-up record ${key} was not written`);
    return stays;
  }
}

/**
 * Token buckets in one table. A wrong guess is one upsert for all its keys: the refill
 * since the bucket's last use and the token taken are computed by the database in the
 * row's lock (`tokens = max(0, min(burst, tokens + elapsed / interval) - 1)`, the domain's
 * arithmetic in double precision), so concurrent guesses on several nodes each take one.
 * The look-ups of one moment (every redeem and provision asks one) go as one statement.
 */
export class PostgresThrottleStore implements ThrottleStore {
  private count = 0;
  private readonly lookups = new MomentBatch<readonly string[], ReadonlyMap<string, Bucket>>({
    most: 100,
    one: (keys) => this.read(keys),
    many: async (questions) => {
      const found = await this.read(questions.flat());
      return questions.map((keys) => new Map(keys.flatMap((key) => (found.has(key) ? [[key, found.get(key)!] as const] : []))));
    },
    askAlone: (error) => !(error instanceof StoreUnavailableError),
  });

  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
  ) {}

  static async open(pool: pg.Pool, schema: string): Promise<PostgresThrottleStore> {
    const table = `${quoteIdent(schema)}.zt_throttle`;
    await runSchemaDdl(
      pool,
      schema,
      [
        `CREATE TABLE IF NOT EXISTS ${table} (
          key         TEXT             PRIMARY KEY,
          tokens      DOUBLE PRECISION NOT NULL,
          at_ms       DOUBLE PRECISION NOT NULL,
          burst       DOUBLE PRECISION NOT NULL,
          interval_ms DOUBLE PRECISION NOT NULL
        )`,
      ],
      { relations: [table], functions: [] },
    );
    return new PostgresThrottleStore(pool, table);
  }

  get(keys: readonly string[]): Promise<ReadonlyMap<string, Bucket>> {
    return this.lookups.ask(keys);
  }

  private async read(keys: readonly string[]): Promise<ReadonlyMap<string, Bucket>> {
    const result = await queryPool<{ key: string; tokens: number; at_ms: number }>(this.pool, `SELECT key, tokens, at_ms FROM ${this.table} WHERE key = ANY($1::text[])`, [keys]);
    return new Map(result.rows.map((r) => [r.key, { tokens: Number(r.tokens), atMs: Number(r.at_ms) }]));
  }

  async take(entries: ReadonlyArray<{ readonly key: string; readonly policy: ThrottlePolicy }>, nowMs: number): Promise<void> {
    // one order for every writer: two guesses on the same keys do not deadlock
    const sorted = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const t = this.table;
    await queryPool(
      this.pool,
      `INSERT INTO ${t} AS b (key, tokens, at_ms, burst, interval_ms)
       SELECT e.key, GREATEST(0, e.burst - 1), $4::float8, e.burst, e.interval_ms
         FROM unnest($1::text[], $2::float8[], $3::float8[]) AS e(key, burst, interval_ms)
       ON CONFLICT (key) DO UPDATE SET
         tokens = GREATEST(0, LEAST(excluded.burst, b.tokens + GREATEST(0, excluded.at_ms - b.at_ms) / excluded.interval_ms) - 1),
         at_ms = excluded.at_ms, burst = excluded.burst, interval_ms = excluded.interval_ms`,
      [sorted.map((e) => e.key), sorted.map((e) => e.policy.burst), sorted.map((e) => e.policy.intervalMs), nowMs],
    );
  }

  async sweep(nowMs: number): Promise<number> {
    const swept = await queryPool(this.pool, `DELETE FROM ${this.table} WHERE tokens + GREATEST(0, $1::float8 - at_ms) / interval_ms >= burst`, [nowMs]);
    const left = await queryPool<{ n: string }>(this.pool, `SELECT count(*) AS n FROM ${this.table}`);
    this.count = Number(left.rows[0]?.n ?? 0);
    return swept.rowCount ?? 0;
  }

  get size(): number {
    return this.count;
  }
}
