/**
 * The event store port. Every adapter (memory, SQLite, PostgreSQL, EventStoreDB)
 * implements it and is proven by the one contract suite in test/contract.
 *
 * Numbering, the same for every adapter:
 * - a stream's events are numbered from 1; a stream's version is the number of its
 *   last event; a stream that does not exist (or was deleted) has version 0;
 * - global positions are positive, strictly increasing in commit order, and may have
 *   holes (a deleted stream, a rolled-back transaction); `readAll({after})` never skips
 *   an event that becomes visible later at a lower position.
 */

import type { PersonalPart, PersonalPaths } from './personal-part';

export type { PersonalPart, PersonalPaths };

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Who caused an event and why: kept with every event for the audit trail. */
export interface EventMetadata {
  /** the request or flow this event belongs to */
  readonly correlationId?: string;
  /** the event or command that caused this one */
  readonly causationId?: string;
  /** who acted: `operator`, `admin`, `installation:<id>`, `phone:<mac>`, `user:<id>`, `system` */
  readonly actor?: string;
  readonly [key: string]: JsonValue | undefined;
}

/**
 * An event to append. `id` makes a retried append idempotent: an append re-sent with the
 * expected version it was first sent with (or with `any`), while at most 32 events were
 * appended to the stream after it, finds its ids there and writes nothing; one that
 * repeats only some of them is refused (InvalidEventError). Older re-sends are not
 * defined: memory, SQLite and PostgreSQL still recognise them; EventStoreDB refuses a
 * wrong expected version as a conflict and may write again at `any` or at the current
 * version. (An append at the stream's exact current version is new, as in EventStoreDB;
 * stores may refuse ids they already hold even then.)
 *
 * Ids are new for every append that is not such a re-send (the command handler draws a
 * fresh UUID per event and attempt, so it never re-sends); in particular, ids of a
 * deleted stream's events are not appended again. What a store does with such an append
 * is not defined (EventStoreDB takes it for a repeat of the deleted events: its adapter
 * fails it).
 */
export interface NewEvent<Type extends string = string, Data extends JsonObject = JsonObject> {
  readonly id: string;
  readonly type: Type;
  /** the data without its personal fields */
  readonly data: Data;
  /**
   * The values of its personal fields, path → value (see personal-part.ts), stored apart
   * from `data` so a purge can delete them and keep the rest. No path of it is in `data`.
   */
  readonly personal?: PersonalPart;
  readonly metadata?: EventMetadata;
}

export interface RecordedEvent<Type extends string = string, Data extends JsonObject = JsonObject> {
  readonly id: string;
  readonly type: Type;
  /** as appended: without the personal fields (an event stored before personal parts existed may still hold them here) */
  readonly data: Data;
  /** the personal part as appended, every value null once purged; `{}` when it has none */
  readonly personal: PersonalPart;
  readonly metadata: EventMetadata;
  readonly streamName: string;
  /** 1-based position in its stream */
  readonly streamVersion: number;
  /** position in the one global order */
  readonly globalPosition: number;
  /** RFC 3339 UTC, when the store recorded it */
  readonly recordedAt: string;
}

/**
 * `any`: no check; `no-stream`: the stream must not exist; a number: its version must
 * equal it. (Callers always know the version they decided on, so there is no "the stream
 * must exist" check.)
 */
export type ExpectedVersion = 'any' | 'no-stream' | number;

export interface AppendOptions {
  readonly expectedVersion?: ExpectedVersion;
}

export interface AppendResult {
  /** the stream's version after the append (pass it as the next expectedVersion) */
  readonly nextExpectedVersion: number;
  /** the global position of the last event of this append (of the existing one for an idempotent re-append) */
  readonly lastGlobalPosition: number;
}

/**
 * A stream is read forwards and whole from a version on: that is how aggregates load
 * (from the start, or from the version they cached). No caller reads backwards or pages
 * a stream, so the port offers neither.
 */
export interface ReadStreamOptions {
  /** first stream version to read; default 1 (the whole stream). Past the end: no events, and the current version */
  readonly from?: number;
}

export interface ReadStreamResult {
  /** the stream's version, 0 when it does not exist */
  readonly currentVersion: number;
  readonly streamExists: boolean;
  readonly events: readonly RecordedEvent[];
}

export interface ReadAllOptions {
  /** read events with a global position strictly after this one; default 0 (from the start) */
  readonly after?: number;
  /** at most this many (adapters cap it at 10,000); default 1,000 */
  readonly limit?: number;
  /**
   * Only events of these types (1 to 100 of them). The page still covers at most `limit`
   * events of the log, of any type, and answers only those of these types: a reader that
   * needs a few types no longer receives (and decodes) all the others.
   */
  readonly types?: readonly string[];
}

export interface ReadAllResult {
  readonly events: readonly RecordedEvent[];
  /**
   * Where the next page starts: the position of the last event the page covered (the last
   * returned, without `types`), or `after` when it covered none. A reader continues with
   * `readAll({after: page.position})`.
   */
  readonly position: number;
  /**
   * How many events of the log the page covered: `events.length`, unless `types` left
   * some out. Fewer than the limit: the page reached the head of the log.
   */
  readonly covered: number;
}

/**
 * Called when new events may be readable. `types`: the event types of the appends that
 * caused the call, when the store knows them; undefined when anything may have changed
 * (a delete, a purge, a reconnect, a store that cannot tell). A reader that needs only some
 * types may skip a call whose types are none of them (`mayConcern`), and still polls.
 */
export type WakeListener = (types?: ReadonlySet<string>) => void;

/** may a wake-up with these appended types (undefined: unknown) bring events of the types a reader needs (undefined: every type)? */
export function mayConcern(needed: ReadonlySet<string> | undefined, appended: ReadonlySet<string> | undefined): boolean {
  if (needed === undefined || appended === undefined) return true;
  for (const type of appended) if (needed.has(type)) return true;
  return false;
}

export interface SubscribeOptions {
  readonly after?: number;
  /** deliver only events of these types (as ReadAllOptions.types); the subscription still moves past the others */
  readonly types?: readonly string[];
  /** events handed to the handler at once (the handler may process them as a batch) */
  readonly batchSize?: number;
}

export interface Subscription {
  /** stop delivering; resolves once the handler is no longer running */
  close(): Promise<void>;
  /** resolves when the subscription has handed over every event up to the position given (or the head at call time) */
  caughtUp(position?: number): Promise<void>;
}

export interface PurgeOptions {
  /** purge only these events of the stream (by id); default: every event of it */
  readonly eventIds?: readonly string[];
  /**
   * Where events written before personal parts existed hold personal values inside
   * `data`, by event type (patterns as in personal-part.ts): a purge moves such values out
   * of the data, as null, so those events end up like any purged one.
   */
  readonly legacyPaths?: PersonalPaths;
}

/**
 * A chained event as stored: its canonical form (src/application/audit/chain-format.ts),
 * which the store builds from the columns it holds now, and its personal part.
 */
export interface ChainedContent {
  /** the canonical form, made afresh from the stored fields: what the content digest covers */
  readonly canonical: string;
  /** the personal part as JSON text, exactly as the store holds it */
  readonly personal: string;
  /** SHA-256 hex of salt ‖ personal text as appended; null when the event has no personal part */
  readonly personalDigest: string | null;
  /** the salt (hex); null once purged (or with no personal part) */
  readonly personalSalt: string | null;
}

/** One position of the hash chain (docs/events.md, "The hash chain"). */
export interface ChainEntry {
  readonly position: number;
  /** null for an event written before the chain began (position <= ChainHead.startPosition) */
  readonly digest: string | null;
  readonly contentDigest: string | null;
  /** the event as stored; undefined for a deleted one (its tombstone keeps only the digests) */
  readonly content?: ChainedContent;
}

export interface ChainHead {
  /** events at or before this position were written before the chain began, and are not chained */
  readonly startPosition: number;
  /** the last chained position (startPosition while none is) and its digest (GENESIS then) */
  readonly position: number;
  readonly digest: string;
}

export interface ReadChainResult {
  readonly entries: readonly ChainEntry[];
  /** as ReadAllResult.position: where the next page starts */
  readonly position: number;
}

/** Errors every adapter raises the same way. */
export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`stream ${streamName}: expected version ${String(expected)}, actual ${actual}`);
  }
}

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export interface EventStore {
  /** short name for logs and metrics: `memory`, `sqlite`, `postgres`, `esdb` */
  readonly kind: string;
  appendToStream(streamName: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  readStream(streamName: string, options?: ReadStreamOptions): Promise<ReadStreamResult>;
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;
  /** the global position of the newest event (0 when empty) */
  headPosition(): Promise<number>;
  /**
   * Calls `listener` when new events may be readable: after appends through this
   * instance, and after appends of other processes where the store can tell (PostgreSQL
   * NOTIFY, EventStoreDB subscriptions). Readers still poll now and then for the rest.
   * The call names the event types appended where the store knows them (see WakeListener).
   * Returns the function that stops the calls.
   */
  watch(listener: WakeListener): () => void;
  /**
   * Catch up from `after`, then deliver live appends, in global order, without gaps or
   * repeats. The handler's promise is awaited before the next batch; if it throws, the
   * subscription delivers the same batch again after a short pause.
   */
  subscribeAll(
    handler: (events: readonly RecordedEvent[]) => Promise<void> | void,
    options?: SubscribeOptions,
  ): Subscription;
  /**
   * Delete a stream and its events (personal data purge). Afterwards the stream reads as
   * not existing and its events are gone from readAll. Deleting a missing stream is no error.
   */
  deleteStream(streamName: string): Promise<void>;
  /**
   * Personal data purge that keeps the events: every value of the personal parts of the
   * stream's events (or of the events named) becomes null; the paths, the rest of the
   * data, ids, versions and positions stay. Idempotent; a missing stream is no error.
   * Readers see the nulls from then on (subscriptions only in events read after it).
   */
  purgePersonalData(streamName: string, options?: PurgeOptions): Promise<void>;
  /**
   * Make what deletes and purges removed unrecoverable from the store's own files, as
   * far as the store can (SQLite: deleted content is zeroed as it goes, and this truncates
   * the WAL; the others: nothing, see docs/security.md). A purge pass calls it last,
   * once its read models dropped their copies too.
   */
  eraseDeleted(): Promise<void>;
  /**
   * The hash chain's head, or undefined when the store keeps no chain (EventStoreDB; see
   * docs/stores.md). Read it before the entries: every entry up to it is then readable.
   */
  chainHead(): Promise<ChainHead | undefined>;
  /**
   * Chain entries after a position, in global order: stored events and the tombstones of
   * deleted ones (options as readAll; a store without a chain answers none).
   */
  readChain(options?: ReadAllOptions): Promise<ReadChainResult>;
  /** true when the store answers */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
