/**
 * The event store for several app processes on one PostgreSQL database (node-postgres).
 *
 * Order (gap-safe): every append runs inside one PL/pgSQL function that first takes a
 * transaction-level advisory lock (`pg_advisory_xact_lock`, one key per schema) and only
 * then draws positions from the BIGSERIAL sequence. PostgreSQL makes a transaction visible
 * before it releases its locks, so the next writer can draw a position only after every
 * lower position is visible (or rolled back, leaving a hole that stays a hole). Positions
 * therefore follow commit order, and a reader paging `global_position > last` can never
 * skip an event that commits late. No snapshot arithmetic is needed on the read side, and
 * an idle or long transaction elsewhere in the cluster cannot stall readers (as it would
 * with `pg_snapshot_xmin`). Deletes take the same lock. The lock is held only inside one
 * single-statement call, never across a client round trip.
 *
 * Group commit: serialising appends would cap throughput at one commit (one WAL flush)
 * per append, so appends and deletes queue up in this process and go to the server
 * together, one round trip and one commit per batch, while the previous batch is in
 * flight. The function checks each operation in order (later appends to a stream see
 * earlier ones of the same batch), with its own idempotency and expected-version check,
 * and answers one row per operation: a refused append never fails its neighbours. If the
 * batch fails as a whole (a value PostgreSQL refuses, such as `\u0000` in JSON text), the
 * operations are sent again one by one so only the bad one fails.
 *
 * Other processes: the function calls `pg_notify` after writing; `watch` listens on one
 * dedicated connection (reconnecting when it drops) and wakes subscribers, which still
 * poll every `pollIntervalMs` for anything missed.
 *
 * Numbering as the port says: streams from 1 (version = max stream_version, so a deleted
 * stream starts again at 1), positions from the sequence, never reused.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import {
  StoreUnavailableError,
  InvalidEventError,
  WrongExpectedVersionError,
  type AppendOptions,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedVersion,
  type JsonObject,
  type NewEvent,
  type PersonalPart,
  type PurgeOptions,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type ReadStreamResult,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../application/ports/event-store';
import {
  checkPosition,
  clampLimit,
  validateStreamName,
} from '../../application/ports/event-store-checks';
import { pollingSubscription } from './polling-subscription';
import { purgedEvent } from '../../application/ports/personal-part';
import { queueAppend, queueDelete, queuePurge, type WriteOperation, type WriteQueue } from './write-queue';
import { idempotencyOutcome, streamRange, type StoredId } from './stream-reading';

export interface PostgresEventStoreOptions {
  /** the schema holding the `zt_` tables (created when missing); default `public` */
  readonly schema?: string;
  /** connections in the pool, when the store makes the pool from a connection string; default 10 */
  readonly poolSize?: number;
  /** how often subscribers re-read without a notification; default 1,000 ms */
  readonly pollIntervalMs?: number;
  /** most operations sent in one round trip; default 1,000 */
  readonly maxBatch?: number;
  /** most events sent in one round trip (a bigger single append still goes alone); default 10,000 */
  readonly maxBatchEvents?: number;
  /** give up connecting after this long; default 10,000 ms (only for pools the store makes) */
  readonly connectionTimeoutMs?: number;
  /** `application_name` of the store's connections; default `zerotouch` */
  readonly applicationName?: string;
}

type Operation = WriteOperation;

interface ResultRow {
  r_status: number;
  r_version: string;
  r_position: string;
  r_found: number;
}

interface EventRow {
  global_position: string;
  stream_name: string;
  stream_version: string;
  event_id: string;
  type: string;
  data: JsonObject;
  metadata: EventMetadata;
  recorded_at: string;
  personal: PersonalPart;
}

/** the answers of the append function, one row per operation */
const STATUS_WRITTEN = 0;
const STATUS_IDS_FOUND = 1;
const STATUS_WRONG_VERSION = 2;

/** expected versions as the function reads them: a version, or one of these */
const EXPECT_ANY = -1;
const EXPECT_NO_STREAM = -2;
const EXPECT_EXISTS = -3;

/** bumped when the function's signature or meaning changes; a new name sits beside the old one */
const APPEND_FUNCTION = 'zt_append_v2';

/** A quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A stable signed 64-bit advisory lock key for a purpose and a schema. */
export function advisoryKey(purpose: string, schema: string): string {
  const digest = createHash('sha256').update(`zerotouch:${purpose}:${schema}`).digest();
  return BigInt.asIntN(64, digest.readBigUInt64BE(0)).toString();
}

/** The NOTIFY channel of a schema's event table. */
export function notifyChannel(schema: string): string {
  const plain = `zt_events_${schema}`;
  if (Buffer.byteLength(plain) <= 63) return plain;
  return `zt_events_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
}

/** What a schema holds once its DDL ran: qualified relation names and function signatures. */
export interface SchemaObjects {
  readonly relations?: readonly string[];
  readonly functions?: readonly string[];
}

/**
 * Create the schema (when missing) and run `statements` in one transaction, under the
 * schema's DDL advisory lock, so processes opening at the same time do not collide.
 * When `present` is given and all of it exists, nothing runs: opening then needs no
 * CREATE privilege (which `CREATE ... IF NOT EXISTS` checks even when the object exists).
 */
export async function runSchemaDdl(pool: pg.Pool, schema: string, statements: readonly string[], present?: SchemaObjects): Promise<void> {
  if (present) {
    const relations = present.relations ?? [];
    const functions = present.functions ?? [];
    const { rows } = await pool.query<{ missing: number }>(
      `SELECT (SELECT count(*) FROM unnest($1::text[]) r WHERE to_regclass(r) IS NULL)
            + (SELECT count(*) FROM unnest($2::text[]) f WHERE to_regprocedure(f) IS NULL) AS missing`,
      [relations, functions],
    );
    if (Number(rows[0]?.missing) === 0) return;
  }
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      await client.query(`SELECT pg_advisory_xact_lock(${advisoryKey('ddl', schema)})`);
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
      for (const statement of statements) await client.query(statement);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

/**
 * A statement creating a function when no function of that signature exists. Functions are
 * versioned by name (`_v1`): replacing one on every open would rewrite the catalog under
 * running calls of other processes.
 */
export function createFunctionIfMissing(signature: string, createStatement: string): string {
  return `DO $do$ BEGIN
    IF to_regprocedure(${quoteLiteral(signature)}) IS NULL THEN
      EXECUTE ${quoteLiteral(createStatement)};
    END IF;
  END $do$`;
}

function schemaStatements(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.zt_events (
      global_position BIGSERIAL   PRIMARY KEY,
      stream_name     TEXT        COLLATE "C" NOT NULL,
      stream_version  BIGINT      NOT NULL,
      event_id        TEXT        COLLATE "C" NOT NULL,
      type            TEXT        NOT NULL,
      data            JSONB       NOT NULL,
      metadata        JSONB       NOT NULL,
      recorded_at     TIMESTAMPTZ NOT NULL,
      personal        JSONB       NOT NULL DEFAULT '{}'
    )`,
    // a database from before personal parts: its rows get {} (their personal values, inside
    // data, are moved out when their stream is purged, see PurgeOptions.legacyPaths)
    `ALTER TABLE ${s}.zt_events ADD COLUMN IF NOT EXISTS personal JSONB NOT NULL DEFAULT '{}'`,
    `CREATE UNIQUE INDEX IF NOT EXISTS zt_events_stream ON ${s}.zt_events (stream_name, stream_version)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS zt_events_stream_id ON ${s}.zt_events (stream_name, event_id)`,
  ];
}

/**
 * The append function: takes the batch as one jsonb array of operations
 * (`{k:'a', s: stream, x: expected, e: [{i: id, t: type, d: data, p: personal, m: metadata}]}` or
 * `{k:'d', s: stream}`), answers one row per operation, in order.
 *
 * Ids: the idempotency rule comes first, but with `check_ids` false (the fast path) the
 * function looks ids up only when the expected version does not match. Otherwise the
 * unique index on (stream_name, event_id) refuses a repeated id, which fails the whole
 * call, and the adapter sends the batch again with `check_ids` true, when each append
 * first counts which of its ids the stream holds (the idempotency rule needs the count).
 *
 * Plans: PL/pgSQL caches generic plans, made once per connection from the statistics of
 * the moment. On a young table those say "tiny", and a plan that scans a stream (or the
 * table) would be kept while the table grows. So the hot path has only lookups with one
 * good plan (the version: the last entry of the (stream_name, stream_version) index, the
 * only plan without a sort, with sequential scans off inside the function; ids: the
 * unique index probe inside INSERT), and the id lookup of the slow path is planned afresh
 * on each call, from the table's size at that moment.
 */
function appendFunction(schema: string): string {
  const s = quoteIdent(schema);
  return `CREATE OR REPLACE FUNCTION ${s}.${APPEND_FUNCTION}(ops jsonb, check_ids boolean)
RETURNS TABLE (r_status int, r_version bigint, r_position bigint, r_found int)
LANGUAGE plpgsql
SET enable_seqscan = off
AS $fn$
DECLARE
  v_op       jsonb;
  v_stream   text;
  v_events   jsonb;
  v_expected bigint;
  v_matches  boolean;
  v_current  bigint;
  v_found    int;
  v_found_at bigint;
  v_last     bigint;
  v_head     bigint := 0;
  v_now      timestamptz;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'zerotouch appends need READ COMMITTED isolation, not %', current_setting('transaction_isolation');
  END IF;
  -- appends are serialised: positions are drawn in commit order (see the adapter's header)
  PERFORM pg_advisory_xact_lock(${advisoryKey('append', schema)});
  v_now := clock_timestamp();
  FOR v_op IN SELECT value FROM jsonb_array_elements(ops) LOOP
    v_stream := v_op->>'s';
    IF v_op->>'k' = 'd' THEN
      DELETE FROM ${s}.zt_events WHERE stream_name = v_stream;
      r_status := ${STATUS_WRITTEN}; r_version := 0; r_position := 0; r_found := 0;
      RETURN NEXT;
      CONTINUE;
    END IF;
    v_events := v_op->'e';
    -- the last entry of the (stream_name, stream_version) index: the only plan without a sort
    SELECT stream_version INTO v_current FROM ${s}.zt_events
     WHERE stream_name = v_stream ORDER BY stream_version DESC LIMIT 1;
    v_current := coalesce(v_current, 0);
    v_expected := (v_op->>'x')::bigint;
    v_matches := v_expected = ${EXPECT_ANY}
                 OR (v_expected = ${EXPECT_NO_STREAM} AND v_current = 0)
                 OR (v_expected = ${EXPECT_EXISTS} AND v_current > 0)
                 OR v_expected = v_current;
    -- the idempotency rule comes before the expected version: a retry may well expect an old version
    IF v_current > 0 AND (check_ids OR NOT v_matches) THEN
      -- planned afresh each time (EXECUTE), from the table's size now: a cached plan could scan the stream
      EXECUTE ${quoteLiteral(`SELECT count(*), max(global_position) FROM ${s}.zt_events
                WHERE stream_name = $1 AND event_id = ANY (ARRAY(SELECT x.e->>'i' FROM jsonb_array_elements($2) AS x(e)))`)}
         INTO v_found, v_found_at
        USING v_stream, v_events;
      IF v_found > 0 THEN
        r_status := ${STATUS_IDS_FOUND}; r_version := v_current; r_position := v_found_at; r_found := v_found;
        RETURN NEXT;
        CONTINUE;
      END IF;
    END IF;
    IF NOT v_matches THEN
      r_status := ${STATUS_WRONG_VERSION}; r_version := v_current; r_position := 0; r_found := 0;
      RETURN NEXT;
      CONTINUE;
    END IF;
    WITH inserted AS (
      INSERT INTO ${s}.zt_events (stream_name, stream_version, event_id, type, data, metadata, recorded_at, personal)
      SELECT v_stream, v_current + x.n, x.e->>'i', x.e->>'t', x.e->'d', x.e->'m', v_now, coalesce(x.e->'p', '{}'::jsonb)
        FROM jsonb_array_elements(v_events) WITH ORDINALITY AS x(e, n)
      RETURNING global_position
    )
    SELECT max(global_position) INTO v_last FROM inserted;
    r_status := ${STATUS_WRITTEN}; r_version := v_current + jsonb_array_length(v_events); r_position := v_last; r_found := 0;
    v_head := v_last;
    RETURN NEXT;
  END LOOP;
  IF v_head > 0 THEN
    PERFORM pg_notify(${quoteLiteral(notifyChannel(schema))}, v_head::text);
  END IF;
END
$fn$`;
}

/** The SQLSTATE of an error the server answered, if it is one. */
function sqlState(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : undefined;
}

/** Is this a failure to reach the server (as opposed to an error the server answered)? */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // 08: connection exception; 57P01-03: terminated, crash, starting up; 53300: too many connections
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
    if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND, EPIPE, ...
  }
  const message = (error as { message?: unknown }).message;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|Client has encountered a connection error|Client was closed|connection timeout/i.test(
      message,
    )
  );
}

/** StoreUnavailableError for connection failures, the error itself otherwise. */
export function translateError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError) return error;
  if (isConnectionError(error)) {
    return new StoreUnavailableError(`PostgreSQL unavailable: ${(error as Error).message}`, { cause: error });
  }
  return error;
}

/** SQL for a timestamptz column as RFC 3339 UTC text, the way `Date.toISOString()` writes it */
export function isoUtc(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

const RECORDED_AT = `${isoUtc('recorded_at')} AS recorded_at`;
const EVENT_COLUMNS = `global_position, stream_name, stream_version, event_id, type, data, metadata, ${RECORDED_AT}, personal`;

export class PostgresEventStore implements EventStore {
  readonly kind = 'postgres';
  private queue: Operation[] = [];
  private draining: Promise<void> | undefined;
  private closing = false;
  private closed = false;
  private closePromise: Promise<void> | undefined;
  private readonly listeners = new Set<() => void>();
  private listenLoop: Promise<void> | undefined;
  private listenClient: pg.Client | undefined;
  private wakeListenLoop: (() => void) | undefined;
  private readonly maxBatch: number;
  private readonly maxBatchEvents: number;
  private readonly pollIntervalMs: number;
  private readonly sql: ReturnType<typeof statements>;
  private readonly onPoolError = (): void => {
    // an idle connection that broke: the pool drops it and the next query connects afresh
  };

  private constructor(
    /** the pool the store queries through; a read model store may share it */
    readonly pool: pg.Pool,
    readonly schema: string,
    private readonly ownsPool: boolean,
    private readonly listenConfig: pg.ClientConfig,
    options: PostgresEventStoreOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxBatchEvents = options.maxBatchEvents ?? 10_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.sql = statements(schema);
    // without an 'error' handler, a broken idle connection would end the process
    pool.on('error', this.onPoolError);
  }

  /**
   * Open the store on a connection string (`postgres://user@host:5432/db`; the store makes
   * and later ends its pool) or on a pool the caller owns (the store leaves it open).
   * Creates the tables and the append function when missing.
   */
  static async open(source: string | pg.Pool, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const schema = options.schema ?? 'public';
    if (schema.length === 0 || Buffer.byteLength(schema) > 63) throw new RangeError('schema must be a name of 1 to 63 bytes');
    const applicationName = options.applicationName ?? 'zerotouch';
    let pool: pg.Pool;
    let listenConfig: pg.ClientConfig;
    const owns = typeof source === 'string';
    if (typeof source === 'string') {
      const config: pg.PoolConfig = {
        connectionString: source,
        max: options.poolSize ?? 10,
        connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
        application_name: applicationName,
        keepAlive: true,
      };
      pool = new pg.Pool(config);
      listenConfig = { ...config, application_name: `${applicationName}-listen` };
    } else {
      pool = source;
      // the pool hides the password from enumeration: copy it by name
      listenConfig = { ...source.options, password: source.options.password, keepAlive: true };
    }
    const onPoolError = (): void => {};
    pool.on('error', onPoolError);
    try {
      const s = quoteIdent(schema);
      const appendSignature = `${s}.${APPEND_FUNCTION}(jsonb, boolean)`;
      await runSchemaDdl(
        pool,
        schema,
        [...schemaStatements(schema), createFunctionIfMissing(appendSignature, appendFunction(schema))],
        { relations: [`${s}.zt_events`, `${s}.zt_events_stream`, `${s}.zt_events_stream_id`], functions: [appendSignature] },
      );
    } catch (error) {
      // an ended pool keeps its handler: its connections may still report errors while they close
      if (owns) await pool.end().catch(() => {});
      else pool.off('error', onPoolError);
      throw translateError(error);
    }
    const store = new PostgresEventStore(pool, schema, owns, listenConfig, options);
    pool.off('error', onPoolError);
    return store;
  }

  appendToStream(streamName: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    return queueAppend(this.writes, streamName, events, options);
  }

  deleteStream(streamName: string): Promise<void> {
    return queueDelete(this.writes, streamName);
  }

  purgePersonalData(streamName: string, options: PurgeOptions = {}): Promise<void> {
    return queuePurge(this.writes, streamName, options);
  }

  /** PostgreSQL keeps old row versions until VACUUM: nothing this store can do from here (docs/security.md) */
  async eraseDeleted(): Promise<void> {
    this.assertOpen();
  }

  /**
   * One statement: the rows of the stream locked (FOR UPDATE: a concurrent purge waits),
   * rewritten where the purge changes them. Rows are never changed otherwise, and a
   * concurrent append only adds rows, so no lock beyond the rows is needed.
   */
  private async purge(streamName: string, options: PurgeOptions): Promise<void> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      try {
        const { rows } = await client.query<{ global_position: string; event_id: string; type: string; data: JsonObject; personal: PersonalPart }>(
          this.sql.purgeRows,
          [streamName, options.eventIds ?? null],
        );
        const changed = rows.flatMap((row) => {
          const purged = purgedEvent(row.type, row.data, row.personal, options.legacyPaths);
          return purged ? [{ p: row.global_position, d: purged.data, q: purged.personal }] : [];
        });
        if (changed.length > 0) await client.query(this.sql.rewrite, [JSON.stringify(changed)]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw error;
      }
    } catch (error) {
      broken ||= isConnectionError(error);
      throw this.closed ? new StoreUnavailableError('event store is closed') : translateError(error);
    } finally {
      client.release(broken);
    }
  }

  /** what queueAppend and queueDelete need of this store */
  private readonly writes: WriteQueue = { assertOpen: () => this.assertOpen(), enqueue: (op) => this.enqueue(op) };

  private enqueue(op: Operation): void {
    this.queue.push(op);
    // operations arriving in the same turn of the event loop (or while a batch is in flight) travel together
    this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  /** send everything queued, one batch in flight at a time, until the queue is empty */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const first = this.queue[0]!;
        if (first.kind === 'purge') {
          // alone, in the order it was queued: appends before it are written, appends after it wait
          this.queue.shift();
          await this.purge(first.streamName, first.options).then(first.resolve, first.reject);
          continue;
        }
        const ops = this.takeBatch();
        const wrote = await this.send(ops);
        if (wrote) this.notifyListeners();
      }
    } finally {
      this.draining = undefined;
    }
  }

  private takeBatch(): Operation[] {
    let events = 0;
    let n = 0;
    while (n < this.queue.length && n < this.maxBatch) {
      const op = this.queue[n]!;
      if (op.kind === 'purge') break;
      const size = op.kind === 'append' ? op.events.length : 1;
      if (n > 0 && events + size > this.maxBatchEvents) break;
      events += size;
      n++;
    }
    return this.queue.splice(0, n);
  }

  /** one round trip for the batch; answers whether any append was written */
  private async send(ops: readonly Operation[], checkIds = false): Promise<boolean> {
    let rows: ResultRow[];
    try {
      rows = await this.callAppend(ops, checkIds);
    } catch (error) {
      // the server refused the call as a whole, so nothing of it was written
      if (!isConnectionError(error)) {
        // an id the stream already holds (an idempotent retry with a matching expected version): again, looking the ids up
        if (!checkIds && sqlState(error) === '23505') return this.send(ops, true);
        if (ops.length > 1) {
          // a value the server refuses: each alone, so only the culprit fails
          let wrote = false;
          for (const op of ops) if (await this.send([op], true)) wrote = true;
          return wrote;
        }
      }
      const failure = this.closed ? new StoreUnavailableError('event store is closed') : translateSingleFailure(error);
      for (const op of ops) op.reject(failure);
      return false;
    }
    let wrote = false;
    ops.forEach((op, i) => {
      const row = rows[i];
      if (!row) {
        op.reject(new Error(`append function answered ${rows.length} rows for ${ops.length} operations`));
        return;
      }
      if (op.kind !== 'append') {
        op.resolve();
        return;
      }
      const version = Number(row.r_version);
      switch (row.r_status) {
        case STATUS_WRITTEN:
          wrote = true;
          op.resolve({ nextExpectedVersion: version, lastGlobalPosition: Number(row.r_position) });
          return;
        case STATUS_IDS_FOUND: {
          // nothing was written; the shared rule decides between success and refusal
          const position = Number(row.r_position);
          const existing: StoredId[] = Array.from({ length: row.r_found }, () => ({ id: '', globalPosition: position }));
          try {
            op.resolve(idempotencyOutcome(op.streamName, op.events, existing, version)!);
          } catch (error) {
            op.reject(error);
          }
          return;
        }
        case STATUS_WRONG_VERSION:
          op.reject(new WrongExpectedVersionError(op.streamName, op.expected, version));
          return;
        default:
          op.reject(new Error(`append function answered unknown status ${row.r_status}`));
      }
    });
    return wrote;
  }

  private async callAppend(ops: readonly Operation[], checkIds: boolean): Promise<ResultRow[]> {
    const payload = JSON.stringify(
      ops.map((op) =>
        op.kind !== 'append'
          ? { k: 'd', s: op.streamName }
          : {
              k: 'a',
              s: op.streamName,
              x: encodeExpected(op.expected),
              e: op.events.map((e) => ({ i: e.id, t: e.type, d: e.data, p: e.personal ?? {}, m: e.metadata ?? {} })),
            },
      ),
    );
    const result = await this.pool.query<ResultRow>({ name: this.sql.appendName, text: this.sql.append, values: [payload, checkIds] });
    return result.rows;
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<ReadStreamResult> {
    this.assertOpen();
    validateStreamName(streamName);
    const limit = clampLimit(options.limit, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    // validates `from` and `direction`; without `from`, read from the start (forwards) or the end (backwards)
    const { backwards } = streamRange(options, 0);
    const from = options.from ?? (backwards ? Number.MAX_SAFE_INTEGER : 1);
    const sqlLimit = limit === Number.MAX_SAFE_INTEGER ? null : limit;
    // one statement, one snapshot: the version and the events agree
    const rows = await this.query<EventRow & { current: string }>(backwards ? this.sql.readBackward : this.sql.readForward, [
      streamName,
      from,
      sqlLimit,
    ]);
    const currentVersion = Number(rows[0]?.current ?? 0);
    if (currentVersion === 0) return { currentVersion, streamExists: false, events: [] };
    const events = rows.filter((r) => r.global_position !== null).map(toRecorded);
    return { currentVersion, streamExists: true, events };
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    this.assertOpen();
    const after = checkPosition(options.after, 'after');
    const limit = clampLimit(options.limit);
    const rows = await this.query<EventRow>(this.sql.readAll, [after, limit]);
    const events = rows.map(toRecorded);
    return { events, position: events.length > 0 ? events[events.length - 1]!.globalPosition : after };
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    const rows = await this.query<{ head: string | null }>(this.sql.head, []);
    return Number(rows[0]?.head ?? 0);
  }

  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.closing) this.listenLoop ??= this.listen();
    return () => {
      this.listeners.delete(listener);
    };
  }

  subscribeAll(handler: (events: readonly RecordedEvent[]) => Promise<void> | void, options: SubscribeOptions = {}): Subscription {
    return pollingSubscription(this, handler, { pollIntervalMs: this.pollIntervalMs, ...options });
  }

  async ping(): Promise<boolean> {
    if (this.closing) return false;
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /** finish the queued appends, then release the LISTEN connection and (when the store made it) the pool */
  close(): Promise<void> {
    this.closePromise ??= (async () => {
      this.closing = true;
      while (this.draining) await this.draining;
      this.closed = true;
      this.notifyListeners();
      this.listeners.clear();
      this.wakeListenLoop?.();
      await this.listenClient?.end().catch(() => {});
      await this.listenLoop;
      // pool.end() answers before every connection has closed: a pool this store ended keeps
      // its 'error' handler, or a late error of a closing connection (the server shutting
      // down, the database dropped) would end the process
      if (this.ownsPool) await this.pool.end().catch(() => {});
      else this.pool.off('error', this.onPoolError);
    })();
    return this.closePromise;
  }

  /**
   * Keep one connection LISTENing for appends of other processes; when it drops, connect
   * again (with backoff) and wake the listeners, since notifications may have been missed.
   */
  private async listen(): Promise<void> {
    let backoff = 100;
    while (!this.closing) {
      const client = new pg.Client(this.listenConfig);
      client.on('error', () => {}); // the 'end' below handles a broken connection
      const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
      try {
        await client.connect();
        client.on('notification', () => this.notifyListeners());
        await client.query(`LISTEN ${quoteIdent(notifyChannel(this.schema))}`);
        if (this.closing) {
          await client.end().catch(() => {});
          return;
        }
        this.listenClient = client;
        backoff = 100;
        this.notifyListeners(); // anything appended while we were not listening
        await ended;
        this.listenClient = undefined;
      } catch {
        await client.end().catch(() => {});
      }
      if (this.closing) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, backoff);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.wakeListenLoop = done;
      });
      this.wakeListenLoop = undefined;
      backoff = Math.min(backoff * 2, 5000);
    }
  }

  private notifyListeners(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // a listener's failure is its own
      }
    }
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows;
    } catch (error) {
      if (this.closed) throw new StoreUnavailableError('event store is closed');
      // class 22: an argument PostgreSQL cannot take (a NUL character in a stream name)
      if (sqlState(error)?.startsWith('22')) throw new InvalidEventError(`PostgreSQL refused the read: ${(error as Error).message}`, { cause: error });
      throw translateError(error);
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new StoreUnavailableError('event store is closed');
  }
}

function statements(schema: string) {
  const s = quoteIdent(schema);
  const current = `(SELECT coalesce(max(stream_version), 0) AS current FROM ${s}.zt_events WHERE stream_name = $1)`;
  return {
    appendName: `zt_append_${advisoryKey('statement', schema)}`,
    append: `SELECT r_status, r_version, r_position, r_found FROM ${s}.${APPEND_FUNCTION}($1::jsonb, $2::boolean)`,
    readForward: `SELECT c.current, e.* FROM ${current} c LEFT JOIN LATERAL (
        SELECT ${EVENT_COLUMNS} FROM ${s}.zt_events
         WHERE stream_name = $1 AND stream_version >= $2 ORDER BY stream_version LIMIT $3::bigint) e ON true`,
    readBackward: `SELECT c.current, e.* FROM ${current} c LEFT JOIN LATERAL (
        SELECT ${EVENT_COLUMNS} FROM ${s}.zt_events
         WHERE stream_name = $1 AND stream_version <= $2 ORDER BY stream_version DESC LIMIT $3::bigint) e ON true`,
    readAll: `SELECT ${EVENT_COLUMNS} FROM ${s}.zt_events WHERE global_position > $1 ORDER BY global_position LIMIT $2`,
    head: `SELECT max(global_position) AS head FROM ${s}.zt_events`,
    purgeRows: `SELECT global_position, event_id, type, data, personal FROM ${s}.zt_events
       WHERE stream_name = $1 AND ($2::text[] IS NULL OR event_id = ANY ($2::text[])) ORDER BY stream_version FOR UPDATE`,
    rewrite: `UPDATE ${s}.zt_events e SET data = x.d, personal = x.q
       FROM jsonb_to_recordset($1::jsonb) AS x(p bigint, d jsonb, q jsonb) WHERE e.global_position = x.p`,
  };
}

function encodeExpected(expected: ExpectedVersion): number {
  switch (expected) {
    case 'any':
      return EXPECT_ANY;
    case 'no-stream':
      return EXPECT_NO_STREAM;
    case 'exists':
      return EXPECT_EXISTS;
    default:
      return expected;
  }
}

/**
 * The failure of a single operation: unreachable → StoreUnavailableError; a value
 * PostgreSQL refuses (class 22: `\u0000` or a lone surrogate in JSON text, text too long)
 * or an id another writer stored outside this adapter (23505) → InvalidEventError.
 */
function translateSingleFailure(error: unknown): unknown {
  const code = sqlState(error);
  if (code !== undefined && (code.startsWith('22') || code === '23505')) {
    return new InvalidEventError(`PostgreSQL refused the append: ${(error as Error).message}`, { cause: error });
  }
  return translateError(error);
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    data: row.data,
    personal: row.personal,
    metadata: row.metadata,
    streamName: row.stream_name,
    streamVersion: Number(row.stream_version),
    globalPosition: Number(row.global_position),
    recordedAt: row.recorded_at,
  };
}
