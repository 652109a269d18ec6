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
 * Tamper evidence: the append function chains each event to the one before it, under the
 * same lock (postgres-chain.ts); deletes leave tombstones.
 *
 * Numbering as the port says: streams from 1 (version = max stream_version, so a deleted
 * stream starts again at 1), positions from the sequence, never reused.
 */
import pg from 'pg';
import * as port from '../../application/ports/event-store';
import { checkPosition, clampLimit } from '../../application/ports/event-store-checks';
import { newPersonalSalt } from '../../application/audit/chain-format';
import { MomentBatch } from './moment-batch';
import { GroupCommitStore, type WriteOperation } from './write-queue';
import { idempotencyOutcome, type StoredId } from './stream-reading';
import { PostgresChain, chainRelations, chainStatements } from './postgres-chain';
import { NotificationLoop } from './postgres-listen';
import { purgeStream } from './postgres-purge';
import {
  APPEND_FUNCTION,
  STATUS_IDS_FOUND,
  STATUS_WRITTEN,
  STATUS_WRONG_VERSION,
  appendFunction,
  encodeExpected,
  schemaStatements,
  statements,
  toRecorded,
  type EventRow,
  type ResultRow,
} from './postgres-schema';
import { createFunctionIfMissing, isConnectionError, prepared, quoteIdent, runSchemaDdl, sqlState, translateError, translateSingleFailure } from './postgres-sql';

export {
  advisoryKey,
  createFunctionIfMissing,
  isConnectionError,
  isoUtc,
  notifyChannel,
  quoteIdent,
  quoteLiteral,
  runSchemaDdl,
  translateError,
  type SchemaObjects,
} from './postgres-sql';

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

/** most stream reads sent in one statement */
const MAX_READS = 200;

interface StreamRead {
  readonly streamName: string;
  readonly from: number;
}

type StreamRow = EventRow & { current: string };

/** a read's rows: its version on each (the only row, its event columns empty, when nothing is from `from` on) */
function streamResult(rows: readonly StreamRow[]): port.ReadStreamResult {
  const currentVersion = Number(rows[0]?.current ?? 0);
  if (currentVersion === 0) return { currentVersion, streamExists: false, events: [] };
  const events = rows.filter((r) => r.global_position !== null).map(toRecorded);
  return { currentVersion, streamExists: true, events };
}

export class PostgresEventStore extends GroupCommitStore implements port.EventStore {
  readonly kind = 'postgres';
  private queue: Operation[] = [];
  /** stream reads of one moment, sent together */
  private readonly reads = new MomentBatch<StreamRead, port.ReadStreamResult>({
    most: MAX_READS,
    one: async (read) => streamResult(await this.query<StreamRow>(this.sql.readStream, [read.streamName, read.from])),
    many: async (reads) => {
      const rows = await this.query<StreamRow & { i: string }>(this.sql.readStreams, [reads.map((r) => r.streamName), reads.map((r) => r.from)]);
      const perRead = reads.map((): StreamRow[] => []);
      for (const row of rows) perRead[Number(row.i) - 1]?.push(row);
      return perRead.map(streamResult);
    },
    askAlone: (error) => error instanceof port.InvalidEventError,
  });
  private draining: Promise<void> | undefined;
  /** set as close begins (new work is refused); `closed` once the queued writes are done */
  private closing = false;
  private closePromise: Promise<void> | undefined;
  private readonly notifications: NotificationLoop;
  private readonly chain: PostgresChain;
  private readonly maxBatch: number;
  private readonly maxBatchEvents: number;
  protected readonly pollIntervalMs: number;
  private readonly sql: ReturnType<typeof statements>;
  private readonly onPoolError = (): void => {
    // an idle connection that broke: the pool drops it and the next query connects afresh
  };

  private constructor(
    /** the pool the store queries through; a read model store may share it */
    readonly pool: pg.Pool,
    readonly schema: string,
    private readonly ownsPool: boolean,
    listenConfig: pg.ClientConfig,
    options: PostgresEventStoreOptions,
  ) {
    super();
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxBatchEvents = options.maxBatchEvents ?? 10_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.sql = statements(schema);
    this.notifications = new NotificationLoop(listenConfig, schema, (types) => this.notifyListeners(types));
    this.chain = new PostgresChain(async (config) => (await this.query(config.text, config.values ?? [], config.rowMode)) as never, schema);
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
        [...schemaStatements(schema), ...chainStatements(schema), createFunctionIfMissing(appendSignature, appendFunction(schema))],
        { relations: [`${s}.zt_events`, `${s}.zt_events_stream`, `${s}.zt_events_stream_id`, ...chainRelations(schema)], functions: [appendSignature] },
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

  /** PostgreSQL keeps old row versions until VACUUM: nothing this store can do from here (docs/security.md) */
  async eraseDeleted(): Promise<void> {
    this.assertOpen();
  }

  protected enqueue(op: Operation): void {
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
          await purgeStream(this.pool, this.sql, first.streamName, first.options)
            .catch((error: unknown) => {
              throw this.closed ? new port.StoreUnavailableError('event store is closed') : translateError(error);
            })
            .then(first.resolve, first.reject);
          continue;
        }
        const appended = new Set<string>();
        await this.send(this.takeBatch(), false, appended);
        if (appended.size > 0) this.notifyListeners(appended);
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

  /** one round trip for the batch; the event types of the appends written go into `appended` */
  private async send(ops: readonly Operation[], checkIds: boolean, appended: Set<string>): Promise<void> {
    let rows: ResultRow[];
    try {
      rows = await this.callAppend(ops, checkIds);
    } catch (error) {
      // the server refused the call as a whole, so nothing of it was written
      if (!isConnectionError(error)) {
        // an id the stream already holds (an idempotent retry with a matching expected version): again, looking the ids up
        if (!checkIds && sqlState(error) === '23505') return this.send(ops, true, appended);
        if (ops.length > 1) {
          // a value the server refuses: each alone, so only the culprit fails
          for (const op of ops) await this.send([op], true, appended);
          return;
        }
      }
      const failure = this.closed ? new port.StoreUnavailableError('event store is closed') : translateSingleFailure(error);
      for (const op of ops) op.reject(failure);
      return;
    }
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
          for (const event of op.events) appended.add(event.type);
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
          op.reject(new port.WrongExpectedVersionError(op.streamName, op.expected, version));
          return;
        default:
          op.reject(new Error(`append function answered unknown status ${row.r_status}`));
      }
    });
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
              e: op.events.map((e) => {
                const p = e.personal ?? {};
                // the salt of the personal part's digest (postgres-chain.ts); a purge deletes it
                return { i: e.id, t: e.type, d: e.data, p, m: e.metadata ?? {}, ...(Object.keys(p).length > 0 && { z: newPersonalSalt() }) };
              }),
            },
      ),
    );
    const result = await this.pool.query<ResultRow>({ name: this.sql.appendName, text: this.sql.append, values: [payload, checkIds] });
    return result.rows;
  }

  /** one statement, one snapshot: the version and the events agree (reads of one moment share it: moment-batch.ts) */
  protected readStreamFrom(streamName: string, from: number): Promise<port.ReadStreamResult> {
    return this.reads.ask({ streamName, from });
  }

  protected async readPage(after: number, limit: number): Promise<port.RecordedEvent[]> {
    return (await this.query<EventRow>(this.sql.readAll, [after, limit])).map(toRecorded);
  }

  /** the other types stay on the server: one statement answers the page's end and the wanted rows */
  protected override async readTypedPage(after: number, limit: number, types: readonly string[]): Promise<port.ReadAllResult> {
    const rows = await this.query<{ covered: number; up_to: string | null } & Partial<EventRow>>(this.sql.readTyped, [after, limit, types]);
    const first = rows[0];
    if (!first || first.up_to === null) return { events: [], position: after, covered: 0 };
    const events = rows.filter((row) => row.global_position != null).map((row) => toRecorded(row as EventRow));
    return { events, position: Number(first.up_to), covered: first.covered };
  }

  async chainHead(): Promise<port.ChainHead | undefined> {
    this.assertOpen();
    return this.chain.head();
  }

  async readChain(options: port.ReadAllOptions = {}): Promise<port.ReadChainResult> {
    this.assertOpen();
    return this.chain.read(checkPosition(options.after, 'after'), clampLimit(options.limit));
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    const rows = await this.query<{ head: string | null }>(this.sql.head, []);
    return Number(rows[0]?.head ?? 0);
  }

  /** the LISTEN connection runs from the first watcher on */
  override watch(listener: port.WakeListener): () => void {
    const unwatch = super.watch(listener);
    if (!this.closing) this.notifications.start();
    return unwatch;
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
      this.releaseListeners();
      await this.notifications.stop();
      // pool.end() answers before every connection has closed: a pool this store ended keeps
      // its 'error' handler, or a late error of a closing connection (the server shutting
      // down, the database dropped) would end the process
      if (this.ownsPool) await this.pool.end().catch(() => {});
      else this.pool.off('error', this.onPoolError);
    })();
    return this.closePromise;
  }

  private async query<R extends pg.QueryResultRow>(text: string, values: unknown[], rowMode?: 'array'): Promise<R[]> {
    try {
      return (await this.pool.query<R>({ ...prepared(text, values), ...(rowMode && { rowMode }) })).rows;
    } catch (error) {
      if (this.closed) throw new port.StoreUnavailableError('event store is closed');
      // class 22: an argument PostgreSQL cannot take (a NUL character in a stream name)
      if (sqlState(error)?.startsWith('22')) throw new port.InvalidEventError(`PostgreSQL refused the read: ${(error as Error).message}`, { cause: error });
      throw translateError(error);
    }
  }

  protected override assertOpen(): void {
    if (this.closing) throw new port.StoreUnavailableError('event store is closed');
  }
}
