/**
 * The scale-out event store: EventStoreDB through `@eventstore/db-client` (gRPC).
 * Numbering, id and position rules are pure functions in eventstoredb-mapping.ts; the
 * operator's view is docs/stores/eventstoredb.md.
 *
 * Numbering. Stream version = EventStoreDB revision + 1; expected version n is sent as
 * revision n-1, 0 and `no-stream` as `no_stream`; a WrongExpectedVersionError carries the
 * actual version in port numbers. A soft-deleted stream reads as missing (version 0) and
 * accepts `no-stream` again, but EventStoreDB continues its revisions after a soft delete:
 * a stream of 2 events is deleted after an empty marker event (version 3, see
 * deleteStream), and its re-created first event gets version 4, not 1. Every operation
 * of this adapter uses that same numbering (readStream's currentVersion and versions,
 * appends' nextExpectedVersion, expected versions), so a caller that passes back what it
 * read stays consistent; only "the first event is version 1" does not hold for a
 * re-created stream. Renumbering would cost a metadata read on every stream read and
 * append, and would race with concurrent deletes.
 *
 * Positions. The global position is the event's commit position in EventStoreDB's log.
 * Prepare positions do not matter: gRPC appends write every event as its own implicitly
 * committed prepare record, so an event's commit and prepare positions are equal, and the
 * events of one multi-event append have distinct, increasing positions (only explicit
 * transactions of the legacy TCP API share a commit position; such events are refused,
 * see globalPositionOf). `$all` is one log written in order and read only up to its
 * indexed end, so no event becomes visible later at a lower position. A forward read of
 * `$all` from {commit: p, prepare: p} is inclusive, so readAll({after: p}) starts there and
 * drops events at positions <= p: it resumes exactly after the event at p, also in the
 * middle of a multi-event append. Positions are byte offsets, so they have large holes;
 * `after` must be 0 or a position this store handed out (never a computed one).
 *
 * readAll shows what the other adapters show: no system streams or events (`$…`), and no
 * events of deleted streams. EventStoreDB keeps soft-deleted events in `$all` until a
 * scavenge, so for each distinct stream in a page the adapter reads the stream's metadata
 * (`$$<stream>`, one small read) and drops what its truncate-before (`$tb`) cuts off:
 * events below it, or, while the stream is deleted, events written before the delete
 * (see isLive in eventstoredb-mapping.ts). The deletion markers are never shown. The
 * answer is cached per stream for `truncationCacheMs` (default 1 s) and dropped at once
 * when this instance deletes or re-creates the stream; a delete made by another process
 * can therefore show in this instance's readAll up to that long later. Cost: about one
 * extra round trip per distinct stream per second of reading; a catch-up over a long
 * history with many streams pays one metadata read per stream it meets.
 *
 * Idempotency as in idempotencyOutcome. EventStoreDB de-duplicates re-sent event ids
 * reliably only against an exact expected revision, so each append first reads the
 * stream's newest `idempotencyWindow` (default 32) + n events: ids found there decide as
 * in the other adapters; an append expecting an older version than the stream's (a
 * retry of an earlier append) is handed to EventStoreDB at that older revision, whose
 * index-based check confirms or refuses it; `any` and `exists` appends are sent as such,
 * so the server's own (best-effort) de-duplication covers ids older than the window.
 * Event ids must be UUIDs in EventStoreDB: other ids are mapped to name-based UUIDs and
 * the original id travels in metadata (`zt.eventId`), so reads give back what was appended.
 *
 * After an append, the adapter reads the last appended event back for its position (the
 * position an append reports is not documented per event). When an append re-creates a
 * soft-deleted stream, the server writes the new `$tb` just after the events; the adapter
 * waits until the stream reads again, so this instance reads its own write. The server's
 * id check ignores deletes: an append that reuses ids of a deleted stream's events would
 * be answered as a repeat and write nothing. The adapter notices (the stream stays
 * deleted and its last revision lies beyond the answer) and writes again at the exact
 * revision, which the server does not match against ids.
 *
 * Personal parts (crypto-shredding, see eventstoredb-mapping.ts): an event's personal part
 * is stored inside it, encrypted under a key of its own kept in `zt.key-<event uuid>`,
 * written before the event; reads decrypt it (keys cached per instance), a purge deletes
 * the key streams. Streams named `zt.…` are the adapter's own: refused in appends, never
 * shown by readAll. Events written before personal parts existed hold their personal
 * values in `data`, which EventStoreDB cannot change: their purge is the deletion of the
 * whole stream (docs/stores/eventstoredb.md).
 *
 * watch: a live `subscribeToAll` that excludes system events wakes listeners on every
 * append, from any process; it subscribes again (with back-off) when dropped. subscribeAll
 * is the shared polling subscription over readAll. Bad input is refused before any
 * network call; an unreachable server gives StoreUnavailableError.
 */
import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  NotLeaderError,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  excludeSystemEvents,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type Position,
  type ReadPosition,
  type ReadRevision,
} from '@eventstore/db-client';
import {
  InvalidEventError,
  StoreUnavailableError,
  WrongExpectedVersionError,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type PurgeOptions,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadChainResult,
  type ReadStreamOptions,
  type ReadStreamResult,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../application/ports/event-store';
import {
  checkPosition,
  clampLimit,
  validateAppend,
  validatePurge,
  validateStreamName,
} from '../../application/ports/event-store-checks';
import {
  NOT_TRUNCATED,
  TruncationCache,
  deletionMarker,
  esdbEventId,
  fromEsdbRecord,
  keyEvent,
  keyOf,
  keyStreamOf,
  newPersonalKey,
  openPersonal,
  sealedOf,
  sealPersonal,
  withOpenedPersonal,
  globalPositionOf,
  isAfter,
  isLive,
  isSystemEvent,
  planAppend,
  readAllStart,
  revisionFromVersion,
  toEventData,
  truncationFromMetadata,
  versionFromRevision,
  type StreamTruncation,
  type TailScan,
} from './eventstoredb-mapping';
import { pollingSubscription } from './polling-subscription';
import { streamFrom, type StoredId } from './stream-reading';

export interface EventStoreDbEventStoreOptions {
  /** how many of a stream's newest events an append checks for its ids (default 32) */
  readonly idempotencyWindow?: number;
  /** how long a stream's truncate-before is trusted by readAll and headPosition (default 1000 ms; 0: never cached) */
  readonly truncationCacheMs?: number;
  /** how often subscriptions read even without a wake-up (default 500 ms) */
  readonly pollIntervalMs?: number;
  /** wake watchers through a live subscription to `$all` (default true) */
  readonly liveNotifications?: boolean;
  /** how long an append that re-creates a deleted stream waits until the stream reads again (default 5000 ms) */
  readonly recreateWaitMs?: number;
}

interface Scan extends TailScan {
  readonly exists: boolean;
  /** the newest event, when the stream exists */
  readonly last: RecordedEvent | undefined;
}

/** personal-part keys remembered per instance (null: the key was deleted, the part purged) */
const KEY_CACHE_ENTRIES = 10_000;
/** the adapter's own streams */
const RESERVED_PREFIX = 'zt.';

const MISSING: Scan = { exists: false, current: 0, reachedStart: true, existing: [], last: undefined };
const SCAN_PAGE = 500;
const MAX_READ_PAGE = 10_001;
const METADATA_CONCURRENCY = 16;
/** an expected revision no stream reaches: the probe in lastRevision */
const PROBE_REVISION = 1n << 62n;

export class EventStoreDbEventStore implements EventStore {
  readonly kind = 'esdb';
  private closed = false;
  private readonly listeners = new Set<() => void>();
  private notifyScheduled = false;
  private live: AllStreamSubscription | undefined;
  private liveRetry: NodeJS.Timeout | undefined;
  private liveBackoffMs = 250;
  private readonly truncations: TruncationCache;
  private readonly pendingTruncations = new Map<string, Promise<StreamTruncation>>();
  private readonly idempotencyWindow: number;
  private readonly pollIntervalMs: number;
  private readonly liveNotifications: boolean;
  private readonly recreateWaitMs: number;
  private readonly keys = new Map<string, Buffer | null>();

  /**
   * @param client a connected client
   * @param ownsClient dispose the client on close (true when the store made it)
   */
  constructor(
    readonly client: EventStoreDBClient,
    options: EventStoreDbEventStoreOptions = {},
    private readonly ownsClient = false,
  ) {
    this.idempotencyWindow = Math.max(0, options.idempotencyWindow ?? 32);
    this.truncations = new TruncationCache(options.truncationCacheMs ?? 1000);
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.liveNotifications = options.liveNotifications ?? true;
    this.recreateWaitMs = options.recreateWaitMs ?? 5000;
  }

  /** `esdb://host:2113?tls=false`, `esdb+discover://…`, with credentials when the server is secure */
  static connect(connectionString: string, options: EventStoreDbEventStoreOptions = {}): EventStoreDbEventStore {
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString), options, true);
  }

  // -------------------------------------------------------------------------------------
  // append

  async appendToStream(streamName: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    const expected = options.expectedVersion ?? 'any';
    validateAppend(streamName, events, expected);
    if (streamName.startsWith(RESERVED_PREFIX)) throw new InvalidEventError(`stream names starting with "${RESERVED_PREFIX}" are reserved by the EventStoreDB adapter`);
    for (const event of events) toEventData(event); // refuses the reserved types and metadata keys, still before any network call
    return this.guard(async () => this.append(streamName, events, await this.eventData(events), expected));
  }

  /** the events as EventStoreDB data, each personal part sealed under its own key (written first) */
  private eventData(events: readonly NewEvent[]): Promise<ReturnType<typeof toEventData>[]> {
    return Promise.all(
      events.map(async (event) => {
        if (event.personal === undefined || Object.keys(event.personal).length === 0) return toEventData(event);
        const id = esdbEventId(event.id);
        const key = await this.keyFor(id, true);
        return toEventData(event, sealPersonal(event.personal, key!, id));
      }),
    );
  }

  /** The key of an event's personal part; with `create`, made and stored when there is none. */
  private async keyFor(esdbId: string, create: boolean): Promise<Buffer | undefined> {
    const cached = this.keys.get(esdbId);
    if (cached !== undefined && (cached !== null || !create)) return cached ?? undefined;
    const stream = keyStreamOf(esdbId);
    for (let attempt = 0; attempt < 3; attempt++) {
      const stored = (await this.readRange(stream, START, FORWARDS, 1))?.[0];
      const found = stored === undefined ? undefined : keyOf(stored.data);
      if (found !== undefined || !create) {
        this.remember(esdbId, found ?? null);
        return found;
      }
      const key = newPersonalKey();
      try {
        await this.client.appendToStream(stream, keyEvent(randomUUID(), key), { expectedRevision: NO_STREAM });
        this.remember(esdbId, key);
        return key;
      } catch (error) {
        // another writer of the same event (a retried append) stored its key first: read that one
        if (!(error instanceof EsdbWrongExpectedVersionError)) throw error;
      }
    }
    throw new Error(`the key stream ${stream} could neither be read nor written`);
  }

  private remember(esdbId: string, key: Buffer | null): void {
    this.keys.delete(esdbId);
    this.keys.set(esdbId, key);
    if (this.keys.size > KEY_CACHE_ENTRIES) this.keys.delete(this.keys.keys().next().value!);
  }

  /** the events with their personal parts opened (nulls where the key is gone) */
  private async opened(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    if (!events.some((e) => sealedOf(e.metadata) !== undefined)) return events;
    const out: RecordedEvent[] = [];
    for (let i = 0; i < events.length; i += METADATA_CONCURRENCY) {
      const chunk = events.slice(i, i + METADATA_CONCURRENCY);
      out.push(
        ...(await Promise.all(
          chunk.map(async (event) => {
            const sealed = sealedOf(event.metadata);
            if (sealed === undefined) return event;
            const id = esdbEventId(event.id);
            return withOpenedPersonal(event, openPersonal(sealed, await this.keyFor(id, false), id));
          }),
        )),
      );
    }
    return out;
  }

  private async append(
    streamName: string,
    events: readonly NewEvent[],
    data: ReturnType<typeof toEventData>[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const ids = new Set(events.map((e) => e.id));
    let scan = await this.scanTail(streamName, ids, this.idempotencyWindow + events.length);
    let plan = planAppend(streamName, events, expected, scan);
    if (plan.kind === 'scan-all') {
      scan = await this.scanTail(streamName, ids, Number.POSITIVE_INFINITY);
      plan = planAppend(streamName, events, expected, scan);
    }
    switch (plan.kind) {
      case 'repeat':
        return plan.result;
      case 'scan-all': // not after a full scan, which reaches the start or finds every id
      case 'conflict':
        return this.conflict(streamName, expected, scan.current);
      case 'confirm-old':
        return this.confirmOld(streamName, events, data, expected, plan.expectedRevision, scan.current);
      case 'write':
        return this.write(streamName, events, data, expected, plan.expectedRevision, scan);
    }
  }

  private conflict(streamName: string, expected: ExpectedVersion, actual: number): never {
    throw new WrongExpectedVersionError(streamName, expected, actual);
  }

  private async write(
    streamName: string,
    events: readonly NewEvent[],
    data: ReturnType<typeof toEventData>[],
    expected: ExpectedVersion,
    expectedRevision: AppendExpectedRevision,
    scan: Scan,
  ): Promise<AppendResult> {
    let revision = expectedRevision;
    for (let attempt = 0; ; attempt++) {
      let nextRevision: bigint;
      try {
        nextRevision = (await this.client.appendToStream(streamName, data, { expectedRevision: revision })).nextExpectedRevision;
      } catch (error) {
        if (error instanceof EsdbWrongExpectedVersionError || error instanceof StreamDeletedError) {
          return this.afterRefusal(streamName, events, expected);
        }
        throw error;
      }
      let last: RecordedEvent;
      if (!scan.exists) {
        this.forgetTruncation(streamName);
        // a new stream reads at once; one with an earlier life is re-created now, or the
        // server matched our ids against its deleted events and wrote nothing
        const outcome = await this.awaitRecreation(streamName, nextRevision);
        if ('event' in outcome) {
          last = outcome.event;
        } else if (attempt === 0) {
          // nothing was written: write at the deleted stream's exact revision, which skips the id match
          revision = outcome.current;
          continue;
        } else {
          throw new Error(`stream ${streamName}: EventStoreDB took the append for a repeat of deleted events twice`);
        }
      } else {
        last = await this.readBack(streamName, nextRevision, 1000);
      }
      if (scan.exists && versionFromRevision(nextRevision) < scan.current + events.length) {
        // `any`/`exists`: the server recognised the ids of an earlier append (beyond our window) and wrote nothing
        return { nextExpectedVersion: scan.current, lastGlobalPosition: last.globalPosition };
      }
      this.scheduleNotify();
      return { nextExpectedVersion: versionFromRevision(nextRevision), lastGlobalPosition: last.globalPosition };
    }
  }

  /**
   * After an append to a stream that read as missing: wait until it reads (a re-created
   * stream reads again once the server has written its new `$tb`, just after the
   * events). If the stream's last revision is beyond the one the server answered, the
   * server did not write: it matched the ids against events of the deleted life (its
   * de-duplication ignores deletes); then `current` is the revision to write at.
   */
  private async awaitRecreation(streamName: string, revision: bigint): Promise<{ event: RecordedEvent } | { current: bigint }> {
    const deadline = Date.now() + this.recreateWaitMs;
    let probed = false;
    let pause = 5;
    for (;;) {
      const event = (await this.readRange(streamName, revision, BACKWARDS, 1))?.[0];
      if (event && event.streamVersion === versionFromRevision(revision)) return { event };
      if (!probed) {
        probed = true;
        const current = await this.lastRevision(streamName);
        if (current !== undefined && current > revision) return { current };
      }
      if (Date.now() >= deadline) {
        throw new Error(`stream ${streamName}: the re-created stream did not become readable within ${this.recreateWaitMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 100);
    }
  }

  /**
   * The server's last revision of a stream, deleted or not (undefined: it never had one):
   * an append that expects an impossible revision is refused with the current one and
   * never writes.
   */
  private async lastRevision(streamName: string): Promise<bigint | undefined> {
    try {
      await this.client.appendToStream(streamName, deletionMarker(randomUUID()), { expectedRevision: PROBE_REVISION });
    } catch (error) {
      if (error instanceof EsdbWrongExpectedVersionError) return error.actualVersion === NO_STREAM ? undefined : error.actualVersion;
      throw error;
    }
    throw new Error(`stream ${streamName}: EventStoreDB accepted an append at revision ${PROBE_REVISION}`);
  }

  /** Ask EventStoreDB whether an append at an older revision was made before (it never writes here). */
  private async confirmOld(
    streamName: string,
    events: readonly NewEvent[],
    data: ReturnType<typeof toEventData>[],
    expected: ExpectedVersion,
    expectedRevision: AppendExpectedRevision,
    current: number,
  ): Promise<AppendResult> {
    let lastRevision: bigint;
    try {
      lastRevision = (await this.client.appendToStream(streamName, data, { expectedRevision })).nextExpectedRevision;
    } catch (error) {
      if (error instanceof EsdbWrongExpectedVersionError || error instanceof StreamDeletedError) {
        return this.afterRefusal(streamName, events, expected);
      }
      throw error;
    }
    const last = await this.readBack(streamName, lastRevision, 0);
    return { nextExpectedVersion: current, lastGlobalPosition: last.globalPosition };
  }

  /**
   * EventStoreDB refused an append we planned as valid: a concurrent writer got there
   * first, or the server saw ids beyond our window. Look again and answer as the other
   * adapters would have: the same ids are there (a concurrent identical append) → success;
   * some of them → InvalidEventError; none → WrongExpectedVersionError with the version now.
   */
  private async afterRefusal(streamName: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    const ids = new Set(events.map((e) => e.id));
    const scan = await this.scanTail(streamName, ids, Number.POSITIVE_INFINITY);
    if (scan.existing.length > 0) {
      const plan = planAppend(streamName, events, expected, scan);
      if (plan.kind === 'repeat') return plan.result;
    }
    return this.conflict(streamName, expected, scan.current);
  }

  /** The event at `revision`, waiting up to `waitMs` for it to become readable. */
  private async readBack(streamName: string, revision: bigint, waitMs: number): Promise<RecordedEvent> {
    const deadline = Date.now() + waitMs;
    let pause = 5;
    for (;;) {
      const found = await this.readRange(streamName, revision, BACKWARDS, 1);
      const event = found?.[0];
      if (event && event.streamVersion === versionFromRevision(revision)) return event;
      if (Date.now() >= deadline) {
        throw new Error(`stream ${streamName}: the event just appended at revision ${revision} could not be read back`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 100);
    }
  }

  // -------------------------------------------------------------------------------------
  // stream reads

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<ReadStreamResult> {
    this.assertOpen();
    validateStreamName(streamName);
    const start = Math.max(streamFrom(options), 1); // validates `from` before any network call
    return this.guard(async () => {
      const tail = await this.scanTail(streamName, new Set(), 1);
      if (!tail.exists) return missing();
      const currentVersion = tail.current;
      let events = start > currentVersion ? [] : ((await this.readRange(streamName, revisionFromVersion(start), FORWARDS, Number.MAX_SAFE_INTEGER)) ?? []);
      // events appended after the tail was read belong to a later version than the one reported
      events = events.filter((e) => e.streamVersion >= start && e.streamVersion <= currentVersion);
      return { currentVersion, streamExists: true, events: await this.opened(events) };
    });
  }

  /** Events of a stream from a revision, or undefined when the stream is missing or deleted. */
  private async readRange(
    streamName: string,
    fromRevision: ReadRevision,
    direction: typeof FORWARDS | typeof BACKWARDS,
    maxCount: number,
  ): Promise<RecordedEvent[] | undefined> {
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamName, { fromRevision, direction, maxCount })) {
        const recorded = resolved.event;
        if (recorded) events.push(fromEsdbRecord(recorded));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) return undefined;
      throw error;
    }
    return events;
  }

  /**
   * The stream's version and which of `ids` are among its newest `limit` events, reading
   * backwards page by page and stopping early once every id is found.
   */
  private async scanTail(streamName: string, ids: ReadonlySet<string>, limit: number): Promise<Scan> {
    const existing: StoredId[] = [];
    const found = new Set<string>();
    let last: RecordedEvent | undefined;
    let scanned = 0;
    let from: ReadRevision = END;
    for (;;) {
      const pageSize = Math.max(1, Math.min(SCAN_PAGE, limit - scanned));
      const page = await this.readRange(streamName, from, BACKWARDS, pageSize);
      if (page === undefined || (page.length === 0 && last === undefined)) return MISSING;
      last ??= page[0];
      for (const event of page) {
        // an id can be in a stream twice (written again beyond the window): count it once
        if (ids.has(event.id) && !found.has(event.id)) {
          found.add(event.id);
          existing.push({ id: event.id, globalPosition: event.globalPosition });
        }
      }
      scanned += page.length;
      const oldest = page[page.length - 1];
      const reachedStart = page.length < pageSize || oldest === undefined || oldest.streamVersion <= 1;
      if (reachedStart || existing.length === ids.size || scanned >= limit) {
        return { exists: true, current: last!.streamVersion, reachedStart, existing, last };
      }
      from = revisionFromVersion(oldest.streamVersion) - 1n;
    }
  }

  // -------------------------------------------------------------------------------------
  // $all

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    this.assertOpen();
    const after = checkPosition(options.after, 'after');
    const limit = clampLimit(options.limit);
    return this.guard(async () => {
      const events: RecordedEvent[] = [];
      let cursor = after;
      let pageSize = limit + 1; // the read is inclusive of `cursor`
      for (;;) {
        const page = await this.readAllPage(readAllStart(cursor), FORWARDS, pageSize);
        const fresh = page.records.filter((r) => isAfter(r.position, cursor));
        for (const event of await this.liveEvents(fresh)) {
          events.push(event);
          if (events.length === limit) break;
        }
        if (events.length === limit || page.count < pageSize || page.lastRead === undefined) break;
        cursor = Number(page.lastRead.commit);
        // the page was eaten by system events or events of deleted streams: read on in larger steps
        pageSize = Math.min(Math.max(limit - events.length + 1, 256), MAX_READ_PAGE);
      }
      return { events: await this.opened(events), position: events.length > 0 ? events[events.length - 1]!.globalPosition : after };
    });
  }

  /** no hash chain: EventStoreDB writes what this adapter appends, and it has no place for a chained digest that a concurrent writer could not break (docs/stores.md) */
  async chainHead(): Promise<undefined> {
    return undefined;
  }

  async readChain(options: ReadAllOptions = {}): Promise<ReadChainResult> {
    return { entries: [], position: options.after ?? 0 };
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.guard(async () => {
      let from: ReadPosition = END;
      const pageSize = 256;
      for (;;) {
        const page = await this.readAllPage(from, BACKWARDS, pageSize);
        for (const record of page.records) {
          if (isSystemEvent(record.streamId, record.type)) continue;
          const truncation = await this.truncationOf(record.streamId);
          if (isLive(record.revision, positionOf(record), truncation)) return positionOf(record);
        }
        if (page.count < pageSize || page.lastRead === undefined) return 0;
        // backwards the page's last item is its oldest; a backward read excludes the record at `from`
        from = { commit: page.lastRead.commit, prepare: page.lastRead.prepare };
      }
    });
  }

  /**
   * One read of `$all`: its event records in read order, how many items the server sent
   * (to tell a short page, the end of the log, from a filtered one) and the position of
   * the last item read.
   */
  private async readAllPage(
    fromPosition: ReadPosition,
    direction: typeof FORWARDS | typeof BACKWARDS,
    maxCount: number,
  ): Promise<{ records: AllRecord[]; count: number; lastRead: Position | undefined }> {
    const records: AllRecord[] = [];
    let count = 0;
    let lastRead: Position | undefined;
    for await (const resolved of this.client.readAll({ fromPosition, direction, maxCount })) {
      count++;
      const record = resolved.event;
      if (!record) continue;
      lastRead = record.position;
      records.push(record);
    }
    return { records, count, lastRead };
  }

  /** The events the port shows, in the order given: no system events, none of deleted streams. */
  private async liveEvents(records: readonly AllRecord[]): Promise<RecordedEvent[]> {
    const candidates = records.filter((r) => !isSystemEvent(r.streamId, r.type));
    const truncations = await this.truncationsOf(new Set(candidates.map((r) => r.streamId)));
    return candidates
      .filter((r) => isLive(r.revision, positionOf(r), truncations.get(r.streamId) ?? NOT_TRUNCATED))
      .map(fromEsdbRecord);
  }

  private async truncationsOf(streams: ReadonlySet<string>): Promise<Map<string, StreamTruncation>> {
    const result = new Map<string, StreamTruncation>();
    const names = [...streams];
    for (let i = 0; i < names.length; i += METADATA_CONCURRENCY) {
      const chunk = names.slice(i, i + METADATA_CONCURRENCY);
      const values = await Promise.all(chunk.map((s) => this.truncationOf(s)));
      chunk.forEach((s, j) => result.set(s, values[j]!));
    }
    return result;
  }

  /** What the stream's newest metadata says about its events (cached, see the header). */
  private truncationOf(streamName: string): Promise<StreamTruncation> {
    const cached = this.truncations.get(streamName);
    if (cached) return Promise.resolve(cached);
    const pending = this.pendingTruncations.get(streamName);
    if (pending) return pending;
    const token = this.truncations.begin();
    const lookup = (async () => {
      let truncation = NOT_TRUNCATED;
      try {
        for await (const resolved of this.client.readStream(`$$${streamName}`, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) {
          const meta = resolved.event;
          if (!meta) continue;
          const commit = meta.position?.commit;
          const position = commit !== undefined && commit > 0n && commit <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(commit) : undefined;
          truncation = truncationFromMetadata(meta.isJson ? meta.data : undefined, position);
        }
      } catch (error) {
        if (!(error instanceof StreamNotFoundError)) throw error;
      }
      this.truncations.set(streamName, truncation, token);
      return truncation;
    })().finally(() => {
      if (this.pendingTruncations.get(streamName) === lookup) this.pendingTruncations.delete(streamName);
    });
    this.pendingTruncations.set(streamName, lookup);
    return lookup;
  }

  /** after this instance deleted or re-created a stream: no cached or running lookup may answer for it */
  private forgetTruncation(streamName: string): void {
    this.truncations.invalidate(streamName);
    this.pendingTruncations.delete(streamName);
  }

  // -------------------------------------------------------------------------------------
  // notifications and subscriptions

  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    this.startLive();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopLive();
    };
  }

  subscribeAll(handler: (events: readonly RecordedEvent[]) => Promise<void> | void, options: SubscribeOptions = {}): Subscription {
    return pollingSubscription(this, handler, { pollIntervalMs: this.pollIntervalMs, ...options });
  }

  private scheduleNotify(): void {
    if (this.notifyScheduled || this.listeners.size === 0) return;
    this.notifyScheduled = true;
    setImmediate(() => {
      this.notifyScheduled = false;
      for (const listener of [...this.listeners]) listener();
    });
  }

  /** one live subscription to `$all` (from its end, without system events) while anyone watches */
  private startLive(): void {
    if (!this.liveNotifications || this.closed || this.live || this.liveRetry || this.listeners.size === 0) return;
    let subscription: AllStreamSubscription;
    try {
      subscription = this.client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
    } catch {
      this.retryLive();
      return;
    }
    this.live = subscription;
    const dropped = (): void => {
      if (this.live !== subscription) return;
      this.live = undefined;
      subscription.unsubscribe().catch(() => undefined);
      this.retryLive();
    };
    subscription.on('confirmation', () => {
      this.liveBackoffMs = 250;
    });
    subscription.on('data', () => this.scheduleNotify());
    subscription.on('error', dropped);
    subscription.on('end', dropped);
    subscription.on('close', dropped);
  }

  private retryLive(): void {
    if (this.closed || this.listeners.size === 0 || this.liveRetry) return;
    const delay = this.liveBackoffMs;
    this.liveBackoffMs = Math.min(this.liveBackoffMs * 2, 5000);
    this.liveRetry = setTimeout(() => {
      this.liveRetry = undefined;
      this.scheduleNotify(); // appends may have happened while it was down
      this.startLive();
    }, delay);
    this.liveRetry.unref();
  }

  private stopLive(): void {
    if (this.liveRetry) clearTimeout(this.liveRetry);
    this.liveRetry = undefined;
    const subscription = this.live;
    this.live = undefined;
    subscription?.unsubscribe().catch(() => undefined);
  }

  // -------------------------------------------------------------------------------------
  // delete, ping, close

  /**
   * Soft delete, after an empty marker event: EventStoreDB keeps a deleted stream's last
   * event through scavenges, so that event must hold no personal data. Marker and delete
   * both name the revision they expect, so no concurrent append can slip in as the last
   * event; on a conflict the adapter looks again (a few times, then deletes regardless).
   */
  async deleteStream(streamName: string): Promise<void> {
    this.assertOpen();
    validateStreamName(streamName);
    await this.guard(() => this.softDelete(streamName));
  }

  /**
   * Purge: the keys of the personal parts deleted (as deleteStream deletes a stream), so
   * once EventStoreDB has scavenged them the parts cannot be opened by anyone; the events
   * read with the same paths, each null. `legacyPaths` cannot apply: events are immutable
   * here, so personal values an event holds in `data` go only with its stream.
   */
  async purgePersonalData(streamName: string, options: PurgeOptions = {}): Promise<void> {
    this.assertOpen();
    validatePurge(streamName, options);
    await this.guard(async () => {
      const events = await this.readRange(streamName, START, FORWARDS, Number.MAX_SAFE_INTEGER);
      const only = options.eventIds === undefined ? undefined : new Set(options.eventIds);
      for (const event of events ?? []) {
        if ((only && !only.has(event.id)) || sealedOf(event.metadata) === undefined) continue;
        const id = esdbEventId(event.id);
        await this.softDelete(keyStreamOf(id));
        this.remember(id, null);
      }
    });
  }

  /** EventStoreDB removes deleted events in a scavenge, which its operator runs (docs/stores/eventstoredb.md) */
  async eraseDeleted(): Promise<void> {
    this.assertOpen();
  }

  private async softDelete(streamName: string): Promise<void> {
    try {
      for (let attempt = 0; ; attempt++) {
        const tail = await this.scanTail(streamName, new Set(), 1);
        if (!tail.exists) return; // missing or deleted already: nothing to do, and no metadata left behind
        try {
          if (attempt >= 5) {
            await this.client.deleteStream(streamName, { expectedRevision: ANY });
            return;
          }
          const marker = await this.client.appendToStream(streamName, deletionMarker(randomUUID()), {
            expectedRevision: revisionFromVersion(tail.current),
          });
          await this.client.deleteStream(streamName, { expectedRevision: marker.nextExpectedRevision }); // $tb = long.MaxValue
          return;
        } catch (error) {
          if (error instanceof StreamDeletedError) return;
          if (!(error instanceof EsdbWrongExpectedVersionError)) throw error;
        }
      }
    } finally {
      this.forgetTruncation(streamName);
    }
  }

  /** one read of the newest `$all` record, given up after 5 s (the client sets no deadline on reads) */
  async ping(): Promise<boolean> {
    if (this.closed) return false;
    const read = this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      read.cancel().catch(() => undefined);
    }, 5000);
    try {
      for await (const _ of read) void _;
      return !timedOut;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopLive();
    for (const listener of [...this.listeners]) listener();
    this.listeners.clear();
    if (this.ownsClient) await this.client.dispose();
  }

  // -------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('event store is closed');
  }

  /** runs a server operation, turning "cannot reach the server" into StoreUnavailableError */
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (this.closed) throw new StoreUnavailableError('event store is closed', { cause: error });
      if (isUnavailable(error)) {
        throw new StoreUnavailableError(`EventStoreDB is not reachable: ${(error as Error).message}`, { cause: error });
      }
      throw error;
    }
  }
}

type AllRecord = NonNullable<AllStreamResolvedEvent['event']>;

function positionOf(record: AllRecord): number {
  return globalPositionOf(record.position, `event ${record.id} of stream ${record.streamId}`);
}

function missing(): ReadStreamResult {
  return { currentVersion: 0, streamExists: false, events: [] };
}

const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE']);

/** Errors that mean the server could not be reached or did not answer in time (not a refusal). */
export function isUnavailable(error: unknown): boolean {
  if (
    error instanceof UnavailableError ||
    error instanceof DeadlineExceededError ||
    error instanceof TimeoutError ||
    error instanceof CancelledError ||
    error instanceof NotLeaderError
  ) {
    return true;
  }
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED) return true;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && /^Failed to discover after \d+ attempts/.test(message);
}
