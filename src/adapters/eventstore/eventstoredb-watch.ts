/**
 * watch() on EventStoreDB: while anyone watches, one live `subscribeToAll` from the end of
 * `$all`, without system events, wakes the listeners on every append, from any process
 * (and this instance's own appends wake them directly). When the subscription drops, it
 * subscribes again with back-off, and wakes the listeners then (appends may have happened
 * while it was down).
 */
import { END, excludeSystemEvents, type AllStreamSubscription, type EventStoreDBClient } from '@eventstore/db-client';

export class LiveNotifications {
  private readonly listeners = new Set<() => void>();
  private notifyScheduled = false;
  private live: AllStreamSubscription | undefined;
  private liveRetry: NodeJS.Timeout | undefined;
  private liveBackoffMs = 250;
  private closed = false;

  /** @param enabled subscribe to `$all` at all (else only this instance's appends wake the listeners) */
  constructor(
    private readonly client: EventStoreDBClient,
    private readonly enabled: boolean,
  ) {}

  watch(listener: () => void): () => void {
    this.listeners.add(listener);
    this.startLive();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopLive();
    };
  }

  /** wake the listeners once, soon (several calls in one turn wake them once) */
  notify(): void {
    if (this.notifyScheduled || this.listeners.size === 0) return;
    this.notifyScheduled = true;
    setImmediate(() => {
      this.notifyScheduled = false;
      for (const listener of [...this.listeners]) listener();
    });
  }

  /** stop the subscription and wake every listener a last time */
  close(): void {
    this.closed = true;
    this.stopLive();
    for (const listener of [...this.listeners]) listener();
    this.listeners.clear();
  }

  private startLive(): void {
    if (!this.enabled || this.closed || this.live || this.liveRetry || this.listeners.size === 0) return;
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
    subscription.on('data', () => this.notify());
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
      this.notify(); // appends may have happened while it was down
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
}
