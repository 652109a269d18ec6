/**
 * The scale-out event store: EventStoreDB through `@eventstore/db-client` (gRPC). The
 * operator's view is docs/stores/eventstoredb.md. The adapter is split along its seams:
 * - eventstoredb-mapping.ts: the pure rules (numbers, ids, positions, what `$all` shows,
 *   how an append is planned), unit-tested without a server;
 * - eventstoredb-append.ts: appends (numbering, idempotency, re-created streams) and deletes;
 * - eventstoredb-read.ts: stream reads, `$all` without system events and deleted streams,
 *   the head position;
 * - eventstoredb-personal.ts: personal parts, encrypted under a key per event (crypto-shredding);
 * - eventstoredb-watch.ts: watch() through a live subscription to `$all`.
 *
 * Event ids must be UUIDs in EventStoreDB: other ids are mapped to name-based UUIDs and
 * the original id travels in metadata (`zt.eventId`), so reads give back what was
 * appended. Streams named `zt.…` are the adapter's own (personal-part keys): refused in
 * appends, never shown by readAll. Events written before personal parts existed hold
 * their personal values in `data`, which EventStoreDB cannot change: their purge is the
 * deletion of the whole stream (docs/stores/eventstoredb.md). There is no hash chain
 * (chainHead answers undefined, see docs/stores.md). subscribeAll is the shared polling
 * subscription over readAll (store-base.ts). Bad input is refused before any network call; an
 * unreachable server gives StoreUnavailableError.
 */
import {
  BACKWARDS,
  CancelledError,
  DeadlineExceededError,
  END,
  EventStoreDBClient,
  FORWARDS,
  NotLeaderError,
  START,
  TimeoutError,
  UnavailableError,
} from '@eventstore/db-client';
import * as port from '../../application/ports/event-store';
import { EsdbWriter } from './eventstoredb-append';
import { esdbEventId, toEventData } from './eventstoredb-mapping';
import { PersonalKeys, keyStreamOf, sealedOf } from './eventstoredb-personal';
import { EsdbReader, readRange } from './eventstoredb-read';
import { LiveNotifications } from './eventstoredb-watch';
import { EventStoreBase } from './store-base';

export interface EventStoreDbEventStoreOptions {
  /** how many of a stream's newest events, besides its own, an append checks for its ids (default 32, what the port promises; less only in tests) */
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

/** the adapter's own streams */
const RESERVED_PREFIX = 'zt.';

export class EventStoreDbEventStore extends EventStoreBase implements port.EventStore {
  readonly kind = 'esdb';
  protected readonly pollIntervalMs: number;
  private readonly keys: PersonalKeys;
  private readonly reader: EsdbReader;
  private readonly writer: EsdbWriter;
  private readonly notifications: LiveNotifications;

  /**
   * @param client a connected client
   * @param ownsClient dispose the client on close (true when the store made it)
   */
  constructor(
    readonly client: EventStoreDBClient,
    options: EventStoreDbEventStoreOptions = {},
    private readonly ownsClient = false,
  ) {
    super();
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.notifications = new LiveNotifications(client, options.liveNotifications ?? true);
    this.keys = new PersonalKeys(client, esdbEventId);
    this.reader = new EsdbReader(client, this.keys, options.truncationCacheMs ?? 1000);
    this.writer = new EsdbWriter(client, this.reader, this.keys, {
      idempotencyWindow: Math.max(0, options.idempotencyWindow ?? 32),
      recreateWaitMs: options.recreateWaitMs ?? 5000,
      appended: () => this.notifications.notify(),
    });
  }

  /** `esdb://host:2113?tls=false`, `esdb+discover://…`, with credentials when the server is secure */
  static connect(connectionString: string, options: EventStoreDbEventStoreOptions = {}): EventStoreDbEventStore {
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString), options, true);
  }

  protected async appendEvents(streamName: string, events: readonly port.NewEvent[], expected: port.ExpectedVersion): Promise<port.AppendResult> {
    if (streamName.startsWith(RESERVED_PREFIX)) throw new port.InvalidEventError(`stream names starting with "${RESERVED_PREFIX}" are reserved by the EventStoreDB adapter`);
    for (const event of events) toEventData(event); // refuses the reserved types and metadata keys, still before any network call
    return this.guard(() => this.writer.append(streamName, events, expected));
  }

  protected readStreamFrom(streamName: string, from: number): Promise<port.ReadStreamResult> {
    const start = Math.max(from, 1);
    return this.guard(() => this.reader.readStream(streamName, start));
  }

  protected readPage(after: number, limit: number): Promise<port.RecordedEvent[]> {
    return this.guard(() => this.reader.readAll(after, limit));
  }

  async headPosition(): Promise<number> {
    this.assertOpen();
    return this.guard(() => this.reader.headPosition());
  }

  /** no hash chain: EventStoreDB writes what this adapter appends, and it has no place for a chained digest that a concurrent writer could not break (docs/stores.md) */
  async chainHead(): Promise<undefined> {
    return undefined;
  }

  async readChain(options: port.ReadAllOptions = {}): Promise<port.ReadChainResult> {
    return { entries: [], position: options.after ?? 0 };
  }

  /** woken by the live subscription to `$all`, which also sees other processes' appends */
  override watch(listener: port.WakeListener): () => void {
    return this.notifications.watch(listener);
  }

  /** soft delete after an empty marker event (see EsdbWriter.softDelete) */
  protected async deleteEvents(streamName: string): Promise<void> {
    await this.guard(() => this.writer.softDelete(streamName));
  }

  /**
   * Purge: the keys of the personal parts deleted (as deleteStream deletes a stream), so
   * once EventStoreDB has scavenged them the parts cannot be opened by anyone; the events
   * read with the same paths, each null. `legacyPaths` cannot apply: events are immutable
   * here, so personal values an event holds in `data` go only with its stream.
   */
  protected async purgeEvents(streamName: string, options: port.PurgeOptions): Promise<void> {
    await this.guard(async () => {
      const events = await readRange(this.client, streamName, START, FORWARDS, Number.MAX_SAFE_INTEGER);
      const only = options.eventIds === undefined ? undefined : new Set(options.eventIds);
      for (const event of events ?? []) {
        if ((only && !only.has(event.id)) || sealedOf(event.metadata) === undefined) continue;
        const id = esdbEventId(event.id);
        await this.writer.softDelete(keyStreamOf(id));
        this.keys.forget(id);
      }
    });
  }

  /** EventStoreDB removes deleted events in a scavenge, which its operator runs (docs/stores/eventstoredb.md) */
  async eraseDeleted(): Promise<void> {
    this.assertOpen();
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
    this.notifications.close();
    if (this.ownsClient) await this.client.dispose();
  }

  /** runs a server operation, turning "cannot reach the server" into StoreUnavailableError */
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (this.closed) throw new port.StoreUnavailableError('event store is closed', { cause: error });
      if (isUnavailable(error)) {
        throw new port.StoreUnavailableError(`EventStoreDB is not reachable: ${(error as Error).message}`, { cause: error });
      }
      throw error;
    }
  }
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
