/**
 * The subscription every adapter shares: page through readAll from a position, hand each
 * page to the handler, then wait for a wake-up (an append in this process, a NOTIFY from
 * PostgreSQL) or a poll interval, and read on. Order and completeness come from readAll's
 * own guarantee, so this loop can neither skip nor repeat an event.
 */
import {
  mayConcern,
  type EventStore,
  type ReadAllResult,
  type RecordedEvent,
  type SubscribeOptions,
  type Subscription,
} from '../../application/ports/event-store';

export type PollingSource = Pick<EventStore, 'readAll' | 'headPosition' | 'watch'>;

export interface PollingOptions extends SubscribeOptions {
  /** re-read at least this often even without a wake-up (other processes, missed notifications) */
  readonly pollIntervalMs?: number;
  /** pause before a failed handler or read is tried again */
  readonly retryDelayMs?: number;
  readonly onError?: (error: unknown) => void;
}

interface Waiter {
  readonly target: number | undefined;
  /** the waiter may be settled by reaching the end in any read that began after this one */
  readonly afterRead: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export function pollingSubscription(
  source: PollingSource,
  handler: (events: readonly RecordedEvent[]) => Promise<void> | void,
  options: PollingOptions = {},
): Subscription {
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const retryDelayMs = options.retryDelayMs ?? 250;
  let position = options.after ?? 0;
  let closed = false;
  let readsStarted = 0; // sequence number of the latest read begun
  let wake: (() => void) | undefined;
  let pendingWake = false;
  const waiters: Waiter[] = [];

  const needed = options.types ? new Set(options.types) : undefined;
  const unregister = source.watch((appended) => {
    // appends of other types only: nothing to read (caughtUp still reads, and the poll)
    if (!mayConcern(needed, appended)) return;
    pendingWake = true;
    wake?.();
  });

  const settleWaiters = (atEndOfRead: number | undefined): void => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      const reached = w.target !== undefined && position >= w.target;
      if (reached || (atEndOfRead !== undefined && atEndOfRead > w.afterRead)) {
        waiters.splice(i, 1);
        w.resolve();
      }
    }
  };

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (closed) return resolve();
      if (pendingWake) {
        pendingWake = false;
        return resolve();
      }
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = undefined;
        pendingWake = false;
        resolve();
      }
      wake = done;
    });

  const loop = (async () => {
    while (!closed) {
      let page: ReadAllResult;
      pendingWake = false;
      const readNumber = ++readsStarted;
      try {
        page = await source.readAll({ after: position, limit: batchSize, ...(options.types ? { types: options.types } : {}) });
      } catch (error) {
        options.onError?.(error);
        await sleep(retryDelayMs);
        continue;
      }
      if (closed) break;
      if (page.events.length > 0) {
        for (;;) {
          try {
            await handler(page.events);
            break;
          } catch (error) {
            options.onError?.(error);
            if (closed) return;
            await sleep(retryDelayMs);
            if (closed) return;
          }
        }
      }
      // a page of other types only still moves the subscription past them
      position = page.position;
      const atEnd = page.covered < batchSize;
      settleWaiters(atEnd ? readNumber : undefined);
      if (atEnd) await sleep(pollIntervalMs);
    }
  })();

  return {
    async close() {
      closed = true;
      unregister();
      wake?.();
      await loop;
      for (const w of waiters.splice(0)) w.reject(new Error('subscription closed'));
    },
    caughtUp(target?: number) {
      return new Promise<void>((resolve, reject) => {
        if (closed) return reject(new Error('subscription closed'));
        const register = (t: number | undefined): void => {
          if (t !== undefined && position >= t) return resolve();
          waiters.push({ target: t, afterRead: readsStarted, resolve, reject });
          pendingWake = true;
          wake?.();
        };
        if (target !== undefined) register(target);
        else source.headPosition().then(register, reject);
      });
    },
  };
}
