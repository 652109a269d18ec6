/**
 * What every event store adapter does the same way: the checks before a write or a read
 * (a closed store, bad names, events or positions are refused before the store is asked),
 * readAll's answer (the position of the page's last event, or `after` when the page is
 * empty), the watchers an append (or a close) wakes, and subscriptions as the shared
 * polling loop over readAll. A store says only how it writes and reads what passed.
 */
import {
  StoreUnavailableError,
  type AppendOptions,
  type AppendResult,
  type ExpectedVersion,
  type NewEvent,
  type PurgeOptions,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type ReadStreamResult,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
  type WakeListener,
} from '../../application/ports/event-store';
import { checkPosition, checkTypes, clampLimit, validateAppend, validatePurge, validateStreamName } from '../../application/ports/event-store-checks';
import { pollingSubscription } from './polling-subscription';
import { streamFrom } from './stream-reading';

/** a page of the log as readAll answers it: it ends at its last event, or where it began when it has none */
function pageOf(events: readonly RecordedEvent[], after: number): ReadAllResult {
  return { events, position: events.length > 0 ? events[events.length - 1]!.globalPosition : after, covered: events.length };
}

export abstract class EventStoreBase {
  protected closed = false;
  /** how often subscriptions read even without a wake-up */
  protected abstract readonly pollIntervalMs: number;
  private readonly listeners = new Set<WakeListener>();

  /** the append, its input checked and the store open */
  protected abstract appendEvents(streamName: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult>;
  /** the delete, the name checked and the store open */
  protected abstract deleteEvents(streamName: string): Promise<void>;
  /** the purge, its input checked and the store open */
  protected abstract purgeEvents(streamName: string, options: PurgeOptions): Promise<void>;
  /** a stream's events from version `from` (checked) on, and its version */
  protected abstract readStreamFrom(streamName: string, from: number): Promise<ReadStreamResult>;
  /** at most `limit` events after the position `after`, both already checked, in global order */
  protected abstract readPage(after: number, limit: number): Promise<readonly RecordedEvent[]> | readonly RecordedEvent[];
  /**
   * Of at most `limit` events after `after`, those of `types` (all checked). A store that
   * can leave the others out where they are stored says so here; this one reads the page
   * and leaves them out after.
   */
  protected async readTypedPage(after: number, limit: number, types: readonly string[]): Promise<ReadAllResult> {
    const page = pageOf(await this.readPage(after, limit), after);
    const wanted = new Set(types);
    return { ...page, events: page.events.filter((e) => wanted.has(e.type)) };
  }

  abstract headPosition(): Promise<number>;

  async appendToStream(streamName: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    const expected = options.expectedVersion ?? 'any';
    validateAppend(streamName, events, expected);
    return this.appendEvents(streamName, events, expected);
  }

  async deleteStream(streamName: string): Promise<void> {
    this.assertOpen();
    validateStreamName(streamName);
    return this.deleteEvents(streamName);
  }

  async purgePersonalData(streamName: string, options: PurgeOptions = {}): Promise<void> {
    this.assertOpen();
    validatePurge(streamName, options);
    return this.purgeEvents(streamName, options);
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<ReadStreamResult> {
    this.assertOpen();
    validateStreamName(streamName);
    return this.readStreamFrom(streamName, streamFrom(options));
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    this.assertOpen();
    const after = checkPosition(options.after, 'after');
    const limit = clampLimit(options.limit);
    const types = checkTypes(options.types);
    if (types !== undefined) return this.readTypedPage(after, limit, types);
    return pageOf(await this.readPage(after, limit), after);
  }

  watch(listener: WakeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  subscribeAll(handler: (events: readonly RecordedEvent[]) => Promise<void> | void, options: SubscribeOptions = {}): Subscription {
    return pollingSubscription(this, handler, { pollIntervalMs: this.pollIntervalMs, ...options });
  }

  /** wake every watcher (after an append, naming its event types, or to let subscriptions see the store close) */
  protected notifyListeners(types?: ReadonlySet<string>): void {
    for (const listener of this.listeners) {
      try {
        listener(types);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  /** on close: a last wake-up, then no watchers are kept */
  protected releaseListeners(): void {
    this.notifyListeners();
    this.listeners.clear();
  }

  protected assertOpen(): void {
    if (this.closed) throw new StoreUnavailableError('event store is closed');
  }
}
