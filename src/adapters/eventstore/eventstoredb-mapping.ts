/**
 * The pure half of the EventStoreDB adapter: how port numbers, ids, positions and
 * expected versions map onto EventStoreDB's, which events of `$all` the port shows, and
 * what an append has to do given what the stream's tail looked like. Nothing here talks
 * to a server, so all of it is unit-tested without one (test/adapters/eventstoredb-mapping.test.ts).
 * The reasoning behind each rule is in the headers of eventstoredb.ts and of the file that
 * applies it (eventstoredb-append.ts, eventstoredb-read.ts), and in docs/stores/eventstoredb.md.
 */
import { createHash } from 'node:crypto';
import {
  ANY,
  NO_STREAM,
  START,
  jsonEvent,
  type AppendExpectedRevision,
  type EventData,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';
import {
  InvalidEventError,
  type AppendResult,
  type EventMetadata,
  type ExpectedVersion,
  type JsonObject,
  type JsonValue,
  type NewEvent,
  type RecordedEvent,
} from '../../application/ports/event-store';
import { NO_PERSONAL } from '../../application/ports/personal-part';
import { expectedVersionMatches } from '../../application/ports/event-store-checks';
import { KEY_EVENT_TYPE, KEY_STREAM_PREFIX, PERSONAL_KEY, isJsonObject, type SealedPersonal, type ZtJsonEvent } from './eventstoredb-personal';
import { idempotencyOutcome, type StoredId } from './stream-reading';

// ---------------------------------------------------------------------------------------
// stream versions and revisions

/** EventStoreDB revisions count from 0, port versions from 1: version = revision + 1. */
export function versionFromRevision(revision: bigint): number {
  if (revision < 0n) throw new RangeError(`negative stream revision ${revision}`);
  const version = revision + 1n;
  if (version > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`stream revision ${revision} is beyond a safe JS number`);
  return Number(version);
}

/** The revision of the event with port version `version` (>= 1). */
export function revisionFromVersion(version: number): bigint {
  if (!Number.isSafeInteger(version) || version < 1) throw new RangeError(`stream version must be an integer >= 1, got ${version}`);
  return BigInt(version - 1);
}

/**
 * The expected revision to send for an expected version that already matched the
 * stream's tail: `any` keeps its EventStoreDB meaning (so the server's own id
 * de-duplication still applies to it), `no-stream` and 0 are `no_stream`, and version n
 * is revision n-1.
 */
export function expectedRevisionFor(expected: ExpectedVersion): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no-stream':
      return NO_STREAM;
    default:
      return expected === 0 ? NO_STREAM : revisionFromVersion(expected);
  }
}

// ---------------------------------------------------------------------------------------
// event ids

/** Metadata key that keeps the appended id when it had to be replaced by a UUID. */
export const ORIGINAL_ID_KEY = 'zt.eventId';

/**
 * Type of the empty event deleteStream appends just before the soft delete. EventStoreDB
 * keeps the last event of a deleted stream even through scavenges (as the record of the
 * stream's last version), so the last event must carry no personal data. Reserved: never
 * shown by readAll, refused in appends.
 */
export const DELETION_MARKER_TYPE = 'zt.StreamDeleted';

/** Namespace of the name-based (version 5) UUIDs made from ids that are not UUIDs. */
export const EVENT_ID_NAMESPACE = '3f6f2f0e-6c1b-4c4e-9a8e-2f6b0c1d7e55';

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * True for ids EventStoreDB stores and hands back unchanged: lowercase 8-4-4-4-12 hex
 * (the server formats UUIDs in lowercase) and not the nil UUID (the server refuses an
 * empty event id).
 */
export function isCanonicalUuid(id: string): boolean {
  return CANONICAL_UUID.test(id) && id !== NIL_UUID;
}

/** RFC 4122 name-based UUID, version 5 (SHA-1). */
export function uuidV5(name: string, namespace: string): string {
  const ns = namespace.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(ns)) throw new RangeError(`not a UUID: ${namespace}`);
  const bytes = createHash('sha1').update(Buffer.from(ns, 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The UUID EventStoreDB stores for a port event id: the id itself when it is one, else a v5 UUID of it. */
export function esdbEventId(id: string): string {
  return isCanonicalUuid(id) ? id : uuidV5(id, EVENT_ID_NAMESPACE);
}

/**
 * A port event as EventStoreDB event data. The metadata key ORIGINAL_ID_KEY is reserved:
 * it carries the appended id whenever the stored UUID differs from it, so reads give back
 * the id that was appended. An event that sets the key itself is refused (before any
 * network call), since reads could not tell the two apart.
 */
export function toEventData(event: NewEvent, sealed?: SealedPersonal): EventData<ZtJsonEvent> {
  if (event.type === DELETION_MARKER_TYPE || event.type === KEY_EVENT_TYPE) {
    throw new InvalidEventError(`event ${event.id}: type "${event.type}" is reserved by the EventStoreDB adapter`);
  }
  const metadata: JsonObject = {};
  for (const [key, value] of Object.entries(event.metadata ?? {})) {
    if (value === undefined) continue;
    if (key === ORIGINAL_ID_KEY || key === PERSONAL_KEY) {
      throw new InvalidEventError(`event ${event.id} (${event.type}): metadata key "${key}" is reserved by the EventStoreDB adapter`);
    }
    metadata[key] = value;
  }
  const id = esdbEventId(event.id);
  if (id !== event.id) metadata[ORIGINAL_ID_KEY] = event.id;
  if (sealed !== undefined) metadata[PERSONAL_KEY] = { ...sealed };
  return jsonEvent<ZtJsonEvent>({ id, type: event.type, data: event.data, metadata });
}

// ---------------------------------------------------------------------------------------
// positions

const MAX_LOG_POSITION = (1n << 63n) - 1n;

/**
 * The port's global position of an event: its commit position in the transaction log.
 * Every event written through gRPC is its own implicitly committed prepare record, so its
 * commit and prepare positions are equal and unique. Only events of explicit transactions
 * (the legacy TCP API) share one commit position; the port cannot number those, so they
 * are refused here rather than given positions that repeat.
 */
export function globalPositionOf(position: Position | undefined, where: string): number {
  if (position === undefined || position.commit <= 0n || position.commit >= MAX_LOG_POSITION) {
    throw new Error(`EventStoreDB gave no log position for ${where}; the adapter needs a server that reports positions on stream reads (22.10 or newer)`);
  }
  if (position.commit !== position.prepare) {
    throw new Error(
      `${where} was written in an explicit transaction (commit ${position.commit}, prepare ${position.prepare}); the EventStoreDB adapter supports only events appended through gRPC`,
    );
  }
  if (position.commit > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`log position ${position.commit} of ${where} is beyond a safe JS number`);
  return Number(position.commit);
}

/**
 * Where a forward read of `$all` starts for `readAll({after})`. EventStoreDB reads forward
 * inclusively from a position, so the read starts at the event at `after` itself and the
 * caller drops every event whose position is not greater than `after` (see isAfter).
 * `after` must be 0 or a position this store handed out: EventStoreDB positions are byte
 * offsets of records in its log, and a position inside a record is not one it can read from.
 */
export function readAllStart(after: number): ReadPosition {
  if (after === 0) return START;
  const at = BigInt(after);
  return { commit: at, prepare: at };
}

export function isAfter(position: Position, after: number): boolean {
  return position.commit > BigInt(after);
}

// ---------------------------------------------------------------------------------------
// what readAll shows

/**
 * Never shown by readAll: system streams (`$…`, including metadata streams `$$…`), system
 * event types (`$…`) and the adapter's deletion marker.
 */
export function isSystemEvent(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$') || type === DELETION_MARKER_TYPE || streamId.startsWith(KEY_STREAM_PREFIX);
}

/** The marker deleteStream appends before the soft delete: no data, no metadata. */
export function deletionMarker(id: string): EventData<ZtJsonEvent> {
  return jsonEvent<ZtJsonEvent>({ id, type: DELETION_MARKER_TYPE, data: {}, metadata: {} });
}

/**
 * What a stream's metadata (`$tb`, truncate before) says about its events in `$all`,
 * which keeps soft-deleted events until a scavenge:
 * - `none`: no truncation, every event is live;
 * - `truncated`: events with a revision below `before` belong to an earlier, deleted life
 *   of the stream (a re-created stream gets `$tb` = its first new revision);
 * - `deleted`: the stream is soft-deleted (`$tb` = long.MaxValue); its events are gone,
 *   except those written after the deleting metadata record (`at`, its log position):
 *   they belong to a re-creation whose new `$tb` is not written yet.
 */
export type StreamTruncation =
  | { readonly kind: 'none' }
  | { readonly kind: 'truncated'; readonly before: bigint }
  | { readonly kind: 'deleted'; readonly at: number };

export const NOT_TRUNCATED: StreamTruncation = { kind: 'none' };

/**
 * The truncation a metadata event states. `data` is the parsed JSON of the newest event of
 * `$$<stream>`; `position` its log position (needed for `deleted`, see above).
 */
export function truncationFromMetadata(data: unknown, position: number | undefined): StreamTruncation {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return NOT_TRUNCATED;
  const tb = (data as Record<string, unknown>)['$tb'];
  if (typeof tb !== 'number' || !Number.isFinite(tb) || tb <= 0) return NOT_TRUNCATED;
  // long.MaxValue (9223372036854775807) arrives as 2^63 after JSON.parse
  if (tb >= Number.MAX_SAFE_INTEGER) return { kind: 'deleted', at: position ?? Number.MAX_SAFE_INTEGER };
  return { kind: 'truncated', before: BigInt(Math.floor(tb)) };
}

export function isLive(revision: bigint, position: number, truncation: StreamTruncation): boolean {
  switch (truncation.kind) {
    case 'none':
      return true;
    case 'truncated':
      return revision >= truncation.before;
    case 'deleted':
      return position > truncation.at;
  }
}

/** A small cache of stream truncations with a time to live and a size bound (oldest out first). */
export class TruncationCache {
  private readonly entries = new Map<string, { readonly value: StreamTruncation; readonly expires: number }>();
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(stream: string): StreamTruncation | undefined {
    const entry = this.entries.get(stream);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.entries.delete(stream);
      return undefined;
    }
    return entry.value;
  }

  /** a token to pass to set(): a lookup that began before an invalidation must not be cached */
  begin(): number {
    return this.generation;
  }

  set(stream: string, value: StreamTruncation, token: number): void {
    if (this.ttlMs <= 0 || token !== this.generation) return;
    this.entries.delete(stream);
    this.entries.set(stream, { value, expires: this.now() + this.ttlMs });
    // one entry comes in at a time, so one goes out: the oldest
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  invalidate(stream: string): void {
    this.generation++;
    this.entries.delete(stream);
  }

  get size(): number {
    return this.entries.size;
  }
}

// ---------------------------------------------------------------------------------------
// recorded events

/** The fields of an EventStoreDB recorded event the adapter uses (JSON or binary). */
export interface EsdbRecord {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly created: Date;
  readonly isJson: boolean;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position?: Position | undefined;
}

/** data or metadata written by something other than this adapter, as a JSON object */
function asObject(value: unknown): JsonObject {
  if (value === undefined || value === null) return {};
  if (isJsonObject(value)) return value;
  if (value instanceof Uint8Array) return value.length === 0 ? {} : { base64: Buffer.from(value).toString('base64') };
  return { value: value as JsonValue };
}

/** An EventStoreDB event as the port's RecordedEvent: id restored, version = revision + 1, position = commit position. */
export function fromEsdbRecord(record: EsdbRecord): RecordedEvent {
  const stored = asObject(record.metadata);
  const original = stored[ORIGINAL_ID_KEY];
  const metadata: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(stored)) if (key !== ORIGINAL_ID_KEY) metadata[key] = value;
  return {
    id: typeof original === 'string' ? original : record.id,
    type: record.type,
    data: asObject(record.data),
    // the sealed personal part stays in the metadata until the adapter opens it (withOpenedPersonal)
    personal: NO_PERSONAL,
    metadata: metadata as EventMetadata,
    streamName: record.streamId,
    streamVersion: versionFromRevision(record.revision),
    globalPosition: globalPositionOf(record.position, `event ${record.id} of stream ${record.streamId}`),
    recordedAt: record.created.toISOString(),
  };
}

// ---------------------------------------------------------------------------------------
// planning an append

/** What the newest events of a stream said before an append. */
export interface TailScan {
  /** the stream's version; 0 when it is missing or (soft-)deleted */
  readonly current: number;
  /** events of the append whose ids the scan found among the stream's newest events */
  readonly existing: readonly StoredId[];
}

export type AppendPlan =
  /** every id is among the stream's newest events: succeed without writing */
  | { readonly kind: 'repeat'; readonly result: AppendResult }
  /** the expected version is wrong: refuse with the current version */
  | { readonly kind: 'conflict' }
  /** write, with this expected revision */
  | { readonly kind: 'write'; readonly expectedRevision: AppendExpectedRevision };

/**
 * The append rule of every adapter (ids first, then the expected version), decided on a
 * scan of the stream's newest events. Throws InvalidEventError when only some ids are
 * there, as idempotencyOutcome does for the other adapters.
 */
export function planAppend(streamName: string, events: readonly NewEvent[], expected: ExpectedVersion, scan: TailScan): AppendPlan {
  if (scan.existing.length > 0) return { kind: 'repeat', result: idempotencyOutcome(streamName, events, scan.existing, scan.current)! };
  if (expectedVersionMatches(expected, scan.current)) return { kind: 'write', expectedRevision: expectedRevisionFor(expected) };
  return { kind: 'conflict' };
}
