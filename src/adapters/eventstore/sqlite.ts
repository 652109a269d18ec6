/**
 * The embedded event store: one SQLite file through better-sqlite3, in WAL mode.
 *
 * Group commit: appends (and deletes) queue up and are written together in one
 * `BEGIN IMMEDIATE` transaction on the next turn of the event loop, one fsync for all of
 * them. Each append runs in its own savepoint with its own expected-version and
 * idempotency check, so one refused append never fails its neighbours. The table has one
 * per-stream index (stream, version): a stream's version is its highest event, and event
 * ids are looked up in the stream only when the expected version does not match exactly
 * (a retry) or is `any`/`exists`.
 *
 * Order: positions come from an AUTOINCREMENT key inside IMMEDIATE transactions, which
 * SQLite serialises, so positions are allocated in commit order and never reused (not
 * even after a delete): a reader paging `position > last` cannot skip an event. The hash
 * chain is written in the same transaction (sqlite-chain.ts).
 */
import Database from 'better-sqlite3';
import * as port from '../../application/ports/event-store';
import { checkPosition, clampLimit, expectedVersionMatches } from '../../application/ports/event-store-checks';
import { BackgroundCheckpoints } from './sqlite-checkpoints';
import { NO_PERSONAL, purgedEvent } from '../../application/ports/personal-part';
import { GroupCommitStore, type WriteOperation } from './write-queue';
import { idempotencyOutcome } from './stream-reading';
import { SqliteChain, migrateChain, type ChainCursor } from './sqlite-chain';
import { SCHEMA, addPersonalColumn, openSqliteDatabase } from './sqlite-schema';

export { openSqliteDatabase };

export interface SqliteEventStoreOptions {
  /** `synchronous` pragma: NORMAL (default) is durable across process crashes in WAL mode; FULL also across power loss */
  readonly synchronous?: 'NORMAL' | 'FULL';
  /** most operations written in one transaction */
  readonly maxBatch?: number;
  /** how often readers look for appends by other processes (default 250 ms) */
  readonly pollIntervalMs?: number;
  readonly now?: () => Date;
  /** checkpoint the WAL from a worker thread, off the event loop (default true; see sqlite-checkpoints.ts) */
  readonly backgroundCheckpoints?: boolean;
  /**
   * other databases that hold copies of the events' data (the read models' file): their
   * WALs are truncated with this one's, so that a delete or purge erases those copies too
   */
  readonly eraseWith?: readonly Database.Database[];
}

/**
 * Event rows are read as arrays (better-sqlite3's raw mode), in this column order: no
 * intermediate object per row on the replay path, where a million rows go by.
 */
const EVENT_COLUMNS = 'global_position, stream_name, stream_version, event_id, type, data, metadata, recorded_at, personal';
type EventRow = [
  globalPosition: number,
  streamName: string,
  streamVersion: number,
  eventId: string,
  type: string,
  data: string,
  metadata: string,
  recordedAt: string,
  personal: string,
];

type Operation = WriteOperation;

/** distinct LIMITs kept prepared per statement (callers use a few page sizes) */
const LIMITED_STATEMENTS = 32;
/** the waits between TRUNCATE checkpoints that readers kept from finishing (about 6 s in all) */
const ERASE_WAITS_MS = [5, 20, 50, 100, 250, 500, 1000, 1500, 2500];

/**
 * A read statement per LIMIT, the limit written into its SQL. better-sqlite3 builds SQLite
 * with STAT4, and SQLite then prepares a statement with a `LIMIT ?` parameter again on
 * every run (about 7 µs where the read itself takes 1.5 µs).
 */
function limited<Args extends unknown[]>(db: Database.Database, sql: (limit: number) => string): (limit: number) => Database.Statement<Args, EventRow> {
  const statements = new Map<number, Database.Statement<Args, EventRow>>();
  return (limit) => {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new port.InvalidEventError(`limit must be a whole number >= 0, got ${String(limit)}`);
    let statement = statements.get(limit);
    if (statement === undefined) {
      statement = db.prepare<Args, EventRow>(sql(limit)).raw(true);
      if (statements.size >= LIMITED_STATEMENTS) statements.delete(statements.keys().next().value!);
      statements.set(limit, statement);
    }
    return statement;
  };
}

export class SqliteEventStore extends GroupCommitStore implements port.EventStore {
  readonly kind = 'sqlite';
  private queue: Operation[] = [];
  private flushScheduled = false;
  private readonly checkpoints: BackgroundCheckpoints | undefined;
  private readonly maxBatch: number;
  private readonly eraseWith: readonly Database.Database[];
  protected readonly pollIntervalMs: number;
  private readonly now: () => Date;
  private readonly statements: ReturnType<SqliteEventStore['prepare']>;
  private readonly chain: SqliteChain;
  /** the chain's cursor while a batch transaction runs */
  private cursor: ChainCursor | undefined;
  private readonly runBatch: (ops: readonly Operation[], recordedAt: string) => Array<{ ok: true; value: port.AppendResult | undefined } | { ok: false; error: unknown }>;

  /** @param db an open database (see openSqliteDatabase); the store creates its tables */
  constructor(
    readonly db: Database.Database,
    options: SqliteEventStoreOptions = {},
  ) {
    super();
    this.maxBatch = options.maxBatch ?? 2000;
    this.eraseWith = options.eraseWith ?? [];
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.now = options.now ?? (() => new Date());
    db.exec(SCHEMA);
    addPersonalColumn(db);
    migrateChain(db);
    this.statements = this.prepare();
    this.chain = new SqliteChain(db);
    if (options.backgroundCheckpoints !== false) this.checkpoints = BackgroundCheckpoints.start(db);
    const appendOne = db.transaction((streamName: string, events: readonly port.NewEvent[], expected: port.ExpectedVersion, recordedAt: string) =>
      this.appendInTransaction(streamName, events, expected, recordedAt),
    );
    const deleteOne = db.transaction((streamName: string) => {
      this.chain.entomb(streamName); // the deleted events' links stay: the chain still verifies
      this.statements.deleteEvents.run(streamName);
    });
    const purgeOne = db.transaction((streamName: string, options: port.PurgeOptions) => this.purgeInTransaction(streamName, options));
    // the outer transaction is IMMEDIATE; each operation runs in its own savepoint
    const batch = db.transaction((ops: readonly Operation[], recordedAt: string) => {
      const cursor = (this.cursor = this.chain.begin());
      const results = ops.map((op) => {
        try {
          if (op.kind === 'append') return { ok: true as const, value: appendOne(op.streamName, op.events, op.expected, recordedAt) };
          if (op.kind === 'purge') purgeOne(op.streamName, op.options);
          else deleteOne(op.streamName);
          return { ok: true as const, value: undefined };
        } catch (error) {
          return { ok: false as const, error };
        }
      });
      this.chain.end(cursor);
      return results;
    });
    this.runBatch = (ops, recordedAt) => {
      try {
        return batch.immediate(ops, recordedAt);
      } finally {
        this.cursor = undefined;
      }
    };
  }

  static open(path: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    return new SqliteEventStore(openSqliteDatabase(path, options.synchronous), options);
  }

  private prepare() {
    const db = this.db;
    return {
      streamVersion: db.prepare<[string], { version: number | null }>('SELECT MAX(stream_version) AS version FROM zt_events WHERE stream_name = ?'),
      findId: db.prepare<[string, string], { global_position: number }>(
        'SELECT global_position FROM zt_events WHERE stream_name = ? AND event_id = ?',
      ),
      streamRows: db.prepare<[string], { global_position: number; event_id: string; type: string; data: string; personal: string }>(
        'SELECT global_position, event_id, type, data, personal FROM zt_events WHERE stream_name = ? ORDER BY stream_version',
      ),
      // the salt goes with the values: the personal digest stays, and can no longer be tried against guesses
      rewrite: db.prepare<[string, string, number]>('UPDATE zt_events SET data = ?, personal = ?, personal_salt = NULL WHERE global_position = ?'),
      deleteEvents: db.prepare<[string]>('DELETE FROM zt_events WHERE stream_name = ?'),
      // no `LIMIT ?` parameter: a statement with one is prepared again on every run (see `limited`)
      readStreamForward: db
        .prepare<[string, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM zt_events WHERE stream_name = ? AND stream_version >= ? ORDER BY stream_version`)
        .raw(true),
      readAll: limited<[number]>(db, (limit) => `SELECT ${EVENT_COLUMNS} FROM zt_events WHERE global_position > ? ORDER BY global_position LIMIT ${limit}`),
      head: db.prepare<[], { head: number | null }>('SELECT MAX(global_position) AS head FROM zt_events'),
    };
  }

  private appendInTransaction(streamName: string, events: readonly port.NewEvent[], expected: port.ExpectedVersion, recordedAt: string): port.AppendResult {
    const s = this.statements;
    const current = s.streamVersion.get(streamName)?.version ?? 0;
    // an append at the exact version it expects is new (as EventStoreDB decides it too);
    // otherwise the ids may have been appended before: a retry, or `any`
    const exact = (typeof expected === 'number' || expected === 'no-stream') && expectedVersionMatches(expected, current);
    if (!exact && current > 0) {
      const existing = events.flatMap((e) => {
        const row = s.findId.get(streamName, e.id);
        return row ? [{ id: e.id, globalPosition: row.global_position }] : [];
      });
      const repeated = idempotencyOutcome(streamName, events, existing, current);
      if (repeated) return repeated;
    }
    if (!expectedVersionMatches(expected, current)) throw new port.WrongExpectedVersionError(streamName, expected, current);
    const position = this.chain.insert(this.cursor!, streamName, current + 1, events, recordedAt);
    return { nextExpectedVersion: current + events.length, lastGlobalPosition: position };
  }

  private purgeInTransaction(streamName: string, options: port.PurgeOptions): void {
    const only = options.eventIds === undefined ? undefined : new Set(options.eventIds);
    for (const row of this.statements.streamRows.all(streamName)) {
      if (only && !only.has(row.event_id)) continue;
      const purged = purgedEvent(row.type, JSON.parse(row.data) as port.JsonObject, JSON.parse(row.personal) as port.PersonalPart, options.legacyPaths);
      if (purged) this.statements.rewrite.run(JSON.stringify(purged.data), JSON.stringify(purged.personal), row.global_position);
    }
  }

  /**
   * The WAL checkpointed into the file and truncated, so the pages a delete or purge rewrote
   * are gone from it. A TRUNCATE checkpoint cannot finish while a reader of an older snapshot
   * or the checkpoint worker holds the WAL; it is tried again, waiting longer each time.
   */
  async eraseDeleted(): Promise<void> {
    this.assertOpen();
    await new Promise<void>((resolve) => setImmediate(resolve)); // after the writes queued so far
    if (this.queue.length > 0) this.flush();
    for (const waitMs of ERASE_WAITS_MS) {
      if (this.truncateWal()) return;
      await new Promise<void>((resolve) => setTimeout(resolve, waitMs));
      if (this.closed) break;
    }
    if (this.truncateWal()) return;
    throw new port.StoreUnavailableError('the SQLite WAL could not be truncated: readers held it (try again)');
  }

  /** one TRUNCATE checkpoint of each WAL; answers whether all finished (an in-memory or closed database has no WAL) */
  private truncateWal(): boolean {
    let done = true;
    for (const db of [this.db, ...this.eraseWith]) {
      if (db.memory || !db.open) continue;
      const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number }>;
      done &&= result?.busy === 0;
    }
    return done;
  }

  protected enqueue(op: Operation): void {
    this.queue.push(op);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** write everything queued, in batches of at most maxBatch operations */
  private flush(): void {
    this.flushScheduled = false;
    const appended = new Set<string>();
    while (this.queue.length > 0) {
      const ops = this.queue.splice(0, this.maxBatch);
      let results: ReturnType<typeof this.runBatch>;
      try {
        results = this.runBatch(ops, this.now().toISOString());
      } catch (error) {
        // the transaction itself failed (disk full, database locked for too long): nothing was written
        const failure = this.closed ? new port.StoreUnavailableError('event store is closed') : error;
        for (const op of ops) op.reject(failure);
        continue;
      }
      // the WAL still holds the pages a delete or purge rewrote: truncated here when no reader
      // holds it, else by eraseDeleted, which every purge ends with
      if (ops.some((op, i) => op.kind !== 'append' && results[i]!.ok)) this.truncateWal();
      results.forEach((result, i) => {
        const op = ops[i]!;
        if (!result.ok) op.reject(result.error);
        else if (op.kind === 'append') {
          for (const event of op.events) appended.add(event.type);
          op.resolve(result.value!);
        } else {
          op.resolve();
        }
      });
    }
    if (appended.size > 0) this.notifyListeners(appended);
  }

  protected async readStreamFrom(streamName: string, from: number): Promise<port.ReadStreamResult> {
    // one statement, and one read transaction (each takes the WAL's locks): its last row is
    // the version; none from the start means no stream
    const rows = this.statements.readStreamForward.all(streamName, from);
    if (rows.length > 0) {
      const events = rows.map(toRecorded);
      return { currentVersion: events[events.length - 1]!.streamVersion, streamExists: true, events };
    }
    const currentVersion = from <= 1 ? 0 : (this.statements.streamVersion.get(streamName)?.version ?? 0);
    return { currentVersion, streamExists: currentVersion > 0, events: [] };
  }

  protected readPage(after: number, limit: number): port.RecordedEvent[] {
    return this.statements.readAll(limit).all(after).map(toRecorded);
  }

  /**
   * The page as readPage reads it, and only the rows of the types decoded. (Leaving the
   * others in the file took a second statement for the page's end, and measured slower
   * than reading the rows: the scan costs more than the columns.)
   */
  protected override async readTypedPage(after: number, limit: number, types: readonly string[]): Promise<port.ReadAllResult> {
    const rows = this.statements.readAll(limit).all(after);
    const wanted = new Set(types);
    const events = rows.filter((row) => wanted.has(row[4])).map(toRecorded);
    return { events, position: rows.length > 0 ? rows[rows.length - 1]![0] : after, covered: rows.length };
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.statements.head.get()?.head ?? 0;
  }

  async chainHead(): Promise<port.ChainHead> {
    this.assertOpen();
    return this.chain.head();
  }

  async readChain(options: port.ReadAllOptions = {}): Promise<port.ReadChainResult> {
    this.assertOpen();
    return this.chain.read(checkPosition(options.after, 'after'), clampLimit(options.limit));
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      this.db.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.queue.length > 0) this.flush(); // finish what callers are waiting for
    this.closed = true;
    this.releaseListeners();
    await this.checkpoints?.stop();
    if (this.db.open) this.db.close();
  }
}

function toRecorded(row: EventRow): port.RecordedEvent {
  return {
    id: row[3],
    type: row[4],
    data: JSON.parse(row[5]) as port.JsonObject,
    metadata: JSON.parse(row[6]) as port.EventMetadata,
    // most events have none: one shared empty part instead of a parse per row
    personal: row[8] === '{}' ? NO_PERSONAL : (JSON.parse(row[8]) as port.PersonalPart),
    streamName: row[1],
    streamVersion: row[2],
    globalPosition: row[0],
    recordedAt: row[7],
  };
}
