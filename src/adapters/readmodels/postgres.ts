/**
 * Read models in PostgreSQL, in the schema beside the events (`zt_projections`,
 * `zt_documents`). Keys are `COLLATE "C"`, so lists are ordered bytewise as in SQLite.
 *
 * A projection batch (its document changes and its checkpoint) is one call of a PL/pgSQL
 * function, so one transaction and one round trip. It first moves the checkpoint with a
 * compare-and-set (a conditional UPDATE, or INSERT ... ON CONFLICT DO NOTHING for a new
 * slot) which takes the checkpoint row's lock; a second process committing the same batch
 * waits for that lock, finds the checkpoint moved and writes nothing. Promote and drop lock
 * the projection's checkpoint rows first, so a commit in flight finishes before documents
 * of other generations are deleted.
 *
 * A projection's document reads (`getIn`) asked in the same turn of the event loop go as one
 * statement (moment-batch.ts): the runner applies the projections of a page side by side, so
 * their reads of documents they do not hold yet travel together.
 */
import pg from 'pg';
import { StoreUnavailableError, type JsonObject } from '../../application/ports/event-store';
import type { Checkpoint, CommitArgs, DocChange, ListOptions, ReadModelStore, Slot, StoredDoc } from '../../application/ports/read-model-store';
import {
  createFunctionIfMissing,
  isoUtc,
  quoteIdent,
  runSchemaDdl,
  translateError,
} from '../eventstore/postgres';
import { MomentBatch } from '../eventstore/moment-batch';
import { queryPool } from '../eventstore/postgres-sql';
import { checkListOptions, prefixEnd } from './list-options';

export interface PostgresReadModelStoreOptions {
  /** the schema holding the `zt_` tables; default `public` (the event store's default) */
  readonly schema?: string;
  /** connections in the pool, when the store makes the pool from a connection string; default 5 */
  readonly poolSize?: number;
  readonly now?: () => Date;
}

interface CheckpointRow {
  projection: string;
  slot: Slot;
  generation: string;
  position: string;
  version: string;
  updated_at: string;
}

const toCheckpoint = (r: CheckpointRow): Checkpoint => ({
  projection: r.projection,
  slot: r.slot,
  generation: Number(r.generation),
  position: Number(r.position),
  version: Number(r.version),
  updatedAt: r.updated_at,
});

const COMMIT_FUNCTION = 'zt_rm_commit_v1';
const PROMOTE_FUNCTION = 'zt_rm_promote_v1';
const DROP_FUNCTION = 'zt_rm_drop_slot_v1';
const COMMIT_ARGS = 'text, text, boolean, bigint, bigint, bigint, bigint, bigint, timestamptz, jsonb, jsonb';
const PROMOTE_ARGS = 'text, bigint, bigint, timestamptz';
const DROP_ARGS = 'text, text';

function schemaStatements(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.zt_projections (
      projection TEXT        COLLATE "C" NOT NULL,
      slot       TEXT        COLLATE "C" NOT NULL CHECK (slot IN ('live', 'rebuild')),
      generation BIGINT      NOT NULL,
      position   BIGINT      NOT NULL,
      version    BIGINT      NOT NULL,
      updated_at TIMESTAMPTZ NOT NULL,
      PRIMARY KEY (projection, slot)
    )`,
    `CREATE TABLE IF NOT EXISTS ${s}.zt_documents (
      projection TEXT   COLLATE "C" NOT NULL,
      generation BIGINT NOT NULL,
      collection TEXT   COLLATE "C" NOT NULL,
      key        TEXT   COLLATE "C" NOT NULL,
      doc        JSONB  NOT NULL,
      PRIMARY KEY (projection, generation, collection, key)
    )`,
    createFunctionIfMissing(
      `${s}.${COMMIT_FUNCTION}(${COMMIT_ARGS})`,
      `CREATE OR REPLACE FUNCTION ${s}.${COMMIT_FUNCTION}(
         p_projection text, p_slot text, p_has_expected boolean, p_expected_generation bigint, p_expected_position bigint,
         p_generation bigint, p_version bigint, p_position bigint, p_updated_at timestamptz, p_puts jsonb, p_deletes jsonb)
       RETURNS boolean LANGUAGE plpgsql AS $fn$
       DECLARE
         v_moved int;
       BEGIN
         IF p_has_expected THEN
           UPDATE ${s}.zt_projections
              SET generation = p_generation, position = p_position, version = p_version, updated_at = p_updated_at
            WHERE projection = p_projection AND slot = p_slot
              AND generation = p_expected_generation AND position = p_expected_position;
         ELSE
           INSERT INTO ${s}.zt_projections (projection, slot, generation, position, version, updated_at)
           VALUES (p_projection, p_slot, p_generation, p_position, p_version, p_updated_at)
           ON CONFLICT (projection, slot) DO NOTHING;
         END IF;
         GET DIAGNOSTICS v_moved = ROW_COUNT;
         IF v_moved = 0 THEN
           RETURN false;
         END IF;
         DELETE FROM ${s}.zt_documents d
          USING jsonb_array_elements(p_deletes) AS x(e)
          WHERE d.projection = p_projection AND d.generation = p_generation
            AND d.collection = x.e->>'c' AND d.key = x.e->>'k';
         INSERT INTO ${s}.zt_documents (projection, generation, collection, key, doc)
         SELECT p_projection, p_generation, x.e->>'c', x.e->>'k', x.e->'d'
           FROM jsonb_array_elements(p_puts) AS x(e)
         ON CONFLICT (projection, generation, collection, key) DO UPDATE SET doc = excluded.doc;
         RETURN true;
       END
       $fn$`,
    ),
    createFunctionIfMissing(
      `${s}.${PROMOTE_FUNCTION}(${PROMOTE_ARGS})`,
      `CREATE OR REPLACE FUNCTION ${s}.${PROMOTE_FUNCTION}(
         p_projection text, p_expected_generation bigint, p_expected_position bigint, p_updated_at timestamptz)
       RETURNS boolean LANGUAGE plpgsql AS $fn$
       DECLARE
         v_generation bigint;
         v_position   bigint;
         v_version    bigint;
       BEGIN
         -- a commit in flight on either slot finishes first; the statements below see it
         PERFORM 1 FROM ${s}.zt_projections WHERE projection = p_projection FOR UPDATE;
         SELECT generation, position, version INTO v_generation, v_position, v_version
           FROM ${s}.zt_projections WHERE projection = p_projection AND slot = 'rebuild';
         IF NOT FOUND OR v_generation <> p_expected_generation OR v_position <> p_expected_position THEN
           RETURN false;
         END IF;
         INSERT INTO ${s}.zt_projections (projection, slot, generation, position, version, updated_at)
         VALUES (p_projection, 'live', v_generation, v_position, v_version, p_updated_at)
         ON CONFLICT (projection, slot) DO UPDATE SET generation = excluded.generation, position = excluded.position,
           version = excluded.version, updated_at = excluded.updated_at;
         DELETE FROM ${s}.zt_projections WHERE projection = p_projection AND slot = 'rebuild';
         DELETE FROM ${s}.zt_documents WHERE projection = p_projection AND generation <> v_generation;
         RETURN true;
       END
       $fn$`,
    ),
    createFunctionIfMissing(
      `${s}.${DROP_FUNCTION}(${DROP_ARGS})`,
      `CREATE OR REPLACE FUNCTION ${s}.${DROP_FUNCTION}(p_projection text, p_slot text)
       RETURNS void LANGUAGE plpgsql AS $fn$
       DECLARE
         v_generation bigint;
         v_other      bigint;
       BEGIN
         PERFORM 1 FROM ${s}.zt_projections WHERE projection = p_projection FOR UPDATE;
         SELECT generation INTO v_generation FROM ${s}.zt_projections WHERE projection = p_projection AND slot = p_slot;
         IF NOT FOUND THEN
           RETURN;
         END IF;
         DELETE FROM ${s}.zt_projections WHERE projection = p_projection AND slot = p_slot;
         SELECT generation INTO v_other FROM ${s}.zt_projections
          WHERE projection = p_projection AND slot = CASE p_slot WHEN 'live' THEN 'rebuild' ELSE 'live' END;
         IF v_other IS DISTINCT FROM v_generation THEN
           DELETE FROM ${s}.zt_documents WHERE projection = p_projection AND generation = v_generation;
         END IF;
       END
       $fn$`,
    ),
  ];
}

/** the commit function's arguments: the last change of a key wins, as when applied one by one, so each key appears once */
function commitValues(args: CommitArgs, updatedAt: string): unknown[] {
  const last = new Map<string, DocChange>();
  for (const change of args.changes) {
    const id = `${change.collection}\u0000${change.key}`;
    last.delete(id);
    last.set(id, change);
  }
  const puts: Array<{ c: string; k: string; d: JsonObject }> = [];
  const deletes: Array<{ c: string; k: string }> = [];
  for (const change of last.values()) {
    if (change.doc === null) deletes.push({ c: change.collection, k: change.key });
    else puts.push({ c: change.collection, k: change.key, d: change.doc });
  }
  return [
    args.projection,
    args.slot,
    args.expected !== undefined,
    args.expected?.generation ?? null,
    args.expected?.position ?? null,
    args.generation,
    args.version,
    args.position,
    updatedAt,
    JSON.stringify(puts),
    JSON.stringify(deletes),
  ];
}

function statements(schema: string) {
  const s = quoteIdent(schema);
  const checkpointColumns = `projection, slot, generation, position, version, ${isoUtc('updated_at')} AS updated_at`;
  const live = `(SELECT generation FROM ${s}.zt_projections WHERE projection = $1 AND slot = 'live')`;
  return {
    schema: s,
    live,
    checkpoint: `SELECT ${checkpointColumns} FROM ${s}.zt_projections WHERE projection = $1 AND slot = $2`,
    checkpoints: `SELECT ${checkpointColumns} FROM ${s}.zt_projections ORDER BY projection, slot`,
    commitFunction: `${s}.${COMMIT_FUNCTION}`,
    commit: `SELECT ${s}.${COMMIT_FUNCTION}($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb) AS ok`,
    promote: `SELECT ${s}.${PROMOTE_FUNCTION}($1, $2, $3, $4) AS ok`,
    dropSlot: `SELECT ${s}.${DROP_FUNCTION}($1, $2)`,
    getIn: `SELECT doc FROM ${s}.zt_documents WHERE projection = $1 AND generation = $2 AND collection = $3 AND key = $4`,
    // several getIn at once: the found documents, each with the place of its question
    getManyIn: `SELECT q.i, d.doc FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY AS q(projection, generation, collection, key, i)
        JOIN ${s}.zt_documents d ON d.projection = q.projection AND d.generation = q.generation AND d.collection = q.collection AND d.key = q.key`,
    maxGeneration: `SELECT GREATEST(
        (SELECT max(generation) FROM ${s}.zt_projections WHERE projection = $1),
        (SELECT max(generation) FROM ${s}.zt_documents WHERE projection = $1)) AS g`,
    get: `SELECT doc FROM ${s}.zt_documents WHERE projection = $1 AND generation = ${live} AND collection = $2 AND key = $3`,
    getMany: `SELECT key, doc FROM ${s}.zt_documents
               WHERE projection = $1 AND generation = ${live} AND collection = $2 AND key = ANY($3::text[])`,
  };
}

interface DocRead {
  readonly projection: string;
  readonly generation: number;
  readonly collection: string;
  readonly key: string;
}

/** most document reads in one statement */
const MAX_DOC_READS = 100;

export class PostgresReadModelStore implements ReadModelStore {
  private readonly sql: ReturnType<typeof statements>;
  private readonly docReads = new MomentBatch<DocRead, JsonObject | undefined>({
    most: MAX_DOC_READS,
    one: async (r) => (await this.query<{ doc: JsonObject }>(this.sql.getIn, [r.projection, r.generation, r.collection, r.key]))[0]?.doc,
    many: async (reads) => {
      const rows = await this.query<{ i: string; doc: JsonObject }>(this.sql.getManyIn, [
        reads.map((r) => r.projection),
        reads.map((r) => r.generation),
        reads.map((r) => r.collection),
        reads.map((r) => r.key),
      ]);
      const docs = new Array<JsonObject | undefined>(reads.length).fill(undefined);
      for (const row of rows) docs[Number(row.i) - 1] = row.doc;
      return docs;
    },
    // a value the server refuses (a key it cannot take) fails only its own read
    askAlone: (error) => !(error instanceof StoreUnavailableError),
  });
  private readonly now: () => Date;
  private closed = false;

  private constructor(
    readonly pool: pg.Pool,
    readonly schema: string,
    private readonly ownsPool: boolean,
    options: PostgresReadModelStoreOptions,
  ) {
    this.sql = statements(schema);
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Open on a pool (usually the event store's: `PostgresReadModelStore.open(events.pool)`;
   * the caller keeps owning it) or on a connection string (the store makes and later ends
   * its own pool). Creates the tables and functions when missing.
   */
  static async open(source: string | pg.Pool, options: PostgresReadModelStoreOptions = {}): Promise<PostgresReadModelStore> {
    const schema = options.schema ?? 'public';
    if (schema.length === 0 || Buffer.byteLength(schema) > 63) throw new RangeError('schema must be a name of 1 to 63 bytes');
    const owns = typeof source === 'string';
    const pool =
      typeof source === 'string'
        ? new pg.Pool({ connectionString: source, max: options.poolSize ?? 5, connectionTimeoutMillis: 10_000, application_name: 'zerotouch' })
        : source;
    const onPoolError = (): void => {};
    if (owns) pool.on('error', onPoolError); // a broken idle connection must not end the process
    try {
      const s = quoteIdent(schema);
      await runSchemaDdl(pool, schema, schemaStatements(schema), {
        relations: [`${s}.zt_projections`, `${s}.zt_documents`],
        functions: [
          `${s}.${COMMIT_FUNCTION}(${COMMIT_ARGS})`,
          `${s}.${PROMOTE_FUNCTION}(${PROMOTE_ARGS})`,
          `${s}.${DROP_FUNCTION}(${DROP_ARGS})`,
        ],
      });
    } catch (error) {
      if (owns) await pool.end().catch(() => {});
      throw translateError(error);
    }
    return new PostgresReadModelStore(pool, schema, owns, options);
  }

  async checkpoint(projection: string, slot: Slot): Promise<Checkpoint | undefined> {
    const [row] = await this.query<CheckpointRow>(this.sql.checkpoint, [projection, slot]);
    return row && toCheckpoint(row);
  }

  async checkpoints(): Promise<readonly Checkpoint[]> {
    return (await this.query<CheckpointRow>(this.sql.checkpoints, [])).map(toCheckpoint);
  }

  async commit(args: CommitArgs): Promise<boolean> {
    const [row] = await this.query<{ ok: boolean }>(this.sql.commit, commitValues(args, this.now().toISOString()));
    return row?.ok === true;
  }

  /**
   * The commits in one statement, so one transaction and one round trip: one call of the
   * commit function each, in the order of their projections' names (two processes
   * committing the same projections take their checkpoint rows' locks in the same order).
   */
  async commitMany(commits: readonly CommitArgs[]): Promise<readonly boolean[]> {
    if (commits.length === 0) return [];
    if (commits.length === 1) return [await this.commit(commits[0]!)];
    const order = commits.map((_, i) => i).sort((x, y) => (commits[x]!.projection < commits[y]!.projection ? -1 : commits[x]!.projection > commits[y]!.projection ? 1 : x - y));
    const updatedAt = this.now().toISOString();
    const values: unknown[] = [];
    const calls = order.map((i) => {
      const base = values.length;
      values.push(...commitValues(commits[i]!, updatedAt));
      const n = (k: number): string => `$${base + k}`;
      return `${this.sql.commitFunction}(${n(1)}, ${n(2)}, ${n(3)}, ${n(4)}, ${n(5)}, ${n(6)}, ${n(7)}, ${n(8)}, ${n(9)}, ${n(10)}::jsonb, ${n(11)}::jsonb)`;
    });
    const [row] = await this.query<{ oks: boolean[] }>(`SELECT ARRAY[${calls.join(', ')}] AS oks`, values);
    const answers = new Array<boolean>(commits.length).fill(false);
    order.forEach((i, at) => (answers[i] = row?.oks[at] === true));
    return answers;
  }

  getIn(projection: string, generation: number, collection: string, key: string): Promise<JsonObject | undefined> {
    return this.docReads.ask({ projection, generation, collection, key });
  }

  async promote(projection: string, expected: Pick<Checkpoint, 'generation' | 'position'>): Promise<boolean> {
    const [row] = await this.query<{ ok: boolean }>(this.sql.promote, [projection, expected.generation, expected.position, this.now().toISOString()]);
    return row?.ok === true;
  }

  async dropSlot(projection: string, slot: Slot): Promise<void> {
    await this.query(this.sql.dropSlot, [projection, slot]);
  }

  async maxGeneration(projection: string): Promise<number> {
    const [row] = await this.query<{ g: string | null }>(this.sql.maxGeneration, [projection]);
    return Number(row?.g ?? 0);
  }

  async get<T extends JsonObject>(projection: string, collection: string, key: string): Promise<T | undefined> {
    const [row] = await this.query<{ doc: T }>(this.sql.get, [projection, collection, key]);
    return row?.doc;
  }

  async getMany<T extends JsonObject>(projection: string, collection: string, keys: readonly string[]): Promise<ReadonlyMap<string, T>> {
    const unique = [...new Set(keys)];
    const found = new Map<string, T>();
    if (unique.length === 0) return found;
    const rows = await this.query<{ key: string; doc: T }>(this.sql.getMany, [projection, collection, unique]);
    const byKey = new Map(rows.map((r) => [r.key, r.doc]));
    for (const key of unique) {
      const doc = byKey.get(key);
      if (doc !== undefined) found.set(key, doc);
    }
    return found;
  }

  async list<T extends JsonObject>(projection: string, collection: string, options: ListOptions = {}): Promise<readonly StoredDoc<T>[]> {
    const { prefix, afterKey, limit, reverse } = checkListOptions(options);
    const hi = prefixEnd(prefix);
    const values: unknown[] = [projection, collection, prefix];
    const conditions = ['projection = $1', `generation = ${this.sql.live}`, 'collection = $2', 'key >= $3'];
    if (hi !== undefined) {
      values.push(hi);
      conditions.push(`key < $${values.length}`);
    }
    if (afterKey !== undefined) {
      values.push(afterKey);
      conditions.push(reverse ? `key < $${values.length}` : `key > $${values.length}`);
    }
    values.push(limit);
    const sql = `SELECT key, doc FROM ${this.sql.schema}.zt_documents WHERE ${conditions.join(' AND ')}
                 ORDER BY key ${reverse ? 'DESC' : 'ASC'} LIMIT $${values.length}`;
    const rows = await this.query<{ key: string; doc: T }>(sql, values);
    return rows.map((r) => ({ key: r.key, doc: r.doc }));
  }

  async count(projection: string, collection: string, prefix = ''): Promise<number> {
    const hi = prefixEnd(prefix);
    const values: unknown[] = [projection, collection, prefix];
    let sql = `SELECT count(*) AS n FROM ${this.sql.schema}.zt_documents
                WHERE projection = $1 AND generation = ${this.sql.live} AND collection = $2 AND key >= $3`;
    if (hi !== undefined) {
      values.push(hi);
      sql += ' AND key < $4';
    }
    const [row] = await this.query<{ n: string }>(sql, values);
    return Number(row?.n ?? 0);
  }

  /** a shared pool belongs to whoever made it (usually the event store, which ends it) */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end().catch(() => {});
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    return (await queryPool<R>(this.pool, text, values)).rows;
  }
}
