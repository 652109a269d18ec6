/**
 * Reads of the EventStoreDB adapter: streams, `$all`, the head.
 *
 * Positions. The global position is the event's commit position in EventStoreDB's log
 * (why that is unique and in commit order: globalPositionOf). `$all` is one log written in
 * order and read only up to its indexed end, so no event becomes visible later at a lower
 * position. readAll({after: p}) reads inclusively from p and drops what is at or before it
 * (readAllStart, isAfter), so it resumes exactly after the event at p, also inside a
 * multi-event append. Positions are byte offsets with large holes: `after` must be 0 or
 * a position this store handed out.
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
 */
import {
  BACKWARDS,
  END,
  FORWARDS,
  StreamDeletedError,
  StreamNotFoundError,
  type AllStreamResolvedEvent,
  type EventStoreDBClient,
  type Position,
  type ReadPosition,
  type ReadRevision,
} from '@eventstore/db-client';
import type { ReadStreamResult, RecordedEvent } from '../../application/ports/event-store';
import {
  NOT_TRUNCATED,
  TruncationCache,
  fromEsdbRecord,
  globalPositionOf,
  isAfter,
  isLive,
  isSystemEvent,
  readAllStart,
  revisionFromVersion,
  truncationFromMetadata,
  type StreamTruncation,
  type TailScan,
} from './eventstoredb-mapping';
import type { PersonalKeys } from './eventstoredb-personal';
import type { StoredId } from './stream-reading';

/** What an append or a delete learns from the newest events of a stream. */
export interface Scan extends TailScan {
  readonly exists: boolean;
}

type Direction = typeof FORWARDS | typeof BACKWARDS;
type AllRecord = NonNullable<AllStreamResolvedEvent['event']>;

const MISSING: Scan = { exists: false, current: 0, existing: [] };
const MAX_READ_PAGE = 10_001;
const METADATA_CONCURRENCY = 16;

/** Events of a stream from a revision, or undefined when the stream is missing or deleted. */
export async function readRange(
  client: EventStoreDBClient,
  streamName: string,
  fromRevision: ReadRevision,
  direction: Direction,
  maxCount: number,
): Promise<RecordedEvent[] | undefined> {
  const events: RecordedEvent[] = [];
  try {
    for await (const resolved of client.readStream(streamName, { fromRevision, direction, maxCount })) {
      const recorded = resolved.event;
      if (recorded) events.push(fromEsdbRecord(recorded));
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) return undefined;
    throw error;
  }
  return events;
}

/** The stream's version and which of `ids` are among its newest `limit` events. */
export async function scanTail(client: EventStoreDBClient, streamName: string, ids: ReadonlySet<string>, limit: number): Promise<Scan> {
  const newest = await readRange(client, streamName, END, BACKWARDS, limit);
  if (newest === undefined || newest.length === 0) return MISSING;
  const existing: StoredId[] = [];
  const found = new Set<string>();
  for (const event of newest) {
    // an id can be in a stream twice (written again beyond the window): count it once
    if (ids.has(event.id) && !found.has(event.id)) {
      found.add(event.id);
      existing.push({ id: event.id, globalPosition: event.globalPosition });
    }
  }
  return { exists: true, current: newest[0]!.streamVersion, existing };
}

export class EsdbReader {
  private readonly truncations: TruncationCache;
  private readonly pendingTruncations = new Map<string, Promise<StreamTruncation>>();

  constructor(
    private readonly client: EventStoreDBClient,
    private readonly keys: PersonalKeys,
    truncationCacheMs: number,
  ) {
    this.truncations = new TruncationCache(truncationCacheMs);
  }

  /**
   * The stream from version `start` (>= 1) on, in one read whose last event is the current
   * version; only when it finds none (a missing stream, or `start` past the end) does a
   * second read of the newest event tell the version.
   */
  async readStream(streamName: string, start: number): Promise<ReadStreamResult> {
    const events = (await readRange(this.client, streamName, revisionFromVersion(start), FORWARDS, Number.MAX_SAFE_INTEGER)) ?? [];
    const last = events.at(-1);
    if (last) return { currentVersion: last.streamVersion, streamExists: true, events: await this.keys.opened(events) };
    const tail = await scanTail(this.client, streamName, new Set(), 1);
    return { currentVersion: tail.current, streamExists: tail.exists, events: [] };
  }

  /** at most `limit` live events after the position `after` (system events and deleted streams skipped) */
  async readAll(after: number, limit: number): Promise<RecordedEvent[]> {
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
    return this.keys.opened(events);
  }

  async headPosition(): Promise<number> {
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
  }

  /** after this instance deleted or re-created a stream: no cached or running lookup may answer for it */
  forgetTruncation(streamName: string): void {
    this.truncations.invalidate(streamName);
    this.pendingTruncations.delete(streamName);
  }

  /**
   * One read of `$all`: its event records in read order, how many items the server sent
   * (to tell a short page, the end of the log, from a filtered one) and the position of
   * the last item read.
   */
  private async readAllPage(
    fromPosition: ReadPosition,
    direction: Direction,
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
}

function positionOf(record: AllRecord): number {
  return globalPositionOf(record.position, `event ${record.id} of stream ${record.streamId}`);
}

