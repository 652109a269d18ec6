/**
 * Sends the outbox to the Users of each domain (SPEC §2 step 6, §5.2). Every logged-in
 * Users connection is a receiver with a cursor into its domain's `pending` notices
 * (`devices.outbox`, keys in log order): on login the cursor starts at the beginning, so
 * every unacknowledged notice is sent again, in order; afterwards each new notice is sent
 * to every connected Users of its domain as soon as the read model has it. A notice
 * leaves the outbox only with its acknowledgement, an event: a Users that goes away
 * without acknowledging loses nothing, whatever the others do, and nothing is lost by a
 * restart, which reads the outbox from the log again.
 */
import { mayConcern, type EventStore, type JsonObject } from '../ports/event-store';
import type { ReadModelStore } from '../ports/read-model-store';
import type { ProjectionWaiter } from './deps';
import { OUTBOX, outboxProjection, PENDING, pendingPrefix, type PendingDoc, type Push } from './projections/outbox';

export interface PushReceiver {
  readonly domain: string;
  /** send one push; false when the connection is gone */
  push(push: Push): boolean;
}

interface Session {
  cursor: string | undefined;
  /** deliveries to one receiver run one after another */
  queue: Promise<void>;
}

const PAGE = 200;
/** a read model that does not catch up in this time is reported, and asked again at the next wake-up */
const CATCH_UP_TIMEOUT_MS = 10_000;

export interface DispatcherOptions {
  readonly events: EventStore;
  readonly readModels: ReadModelStore;
  readonly projections: ProjectionWaiter;
  /** look for notices at least this often (appends of other processes the store cannot signal) */
  readonly pollIntervalMs?: number;
  readonly onError?: (error: unknown) => void;
}

export class OutboxDispatcher {
  private readonly sessions = new Map<PushReceiver, Session>();
  private running = false;
  private wake: (() => void) | undefined;
  private woken = false;
  private loop: Promise<void> | undefined;
  private stopWatching: (() => void) | undefined;

  constructor(private readonly options: DispatcherOptions) {}

  /** a Users logged in: send it the domain's whole outbox, then whatever comes */
  attach(receiver: PushReceiver): void {
    this.sessions.set(receiver, { cursor: undefined, queue: Promise.resolve() });
    this.deliver(receiver);
  }

  detach(receiver: PushReceiver): void {
    this.sessions.delete(receiver);
  }

  get receivers(): number {
    return this.sessions.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // only appends the outbox reads can add a notice (the poll finds the rest)
    const read = new Set(outboxProjection.eventTypes);
    this.stopWatching = this.options.events.watch((types) => {
      if (mayConcern(read, types)) this.poke();
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopWatching?.();
    this.poke();
    await this.loop;
    await Promise.all([...this.sessions.values()].map((s) => s.queue));
  }

  /** resolves once every receiver has been sent what the outbox holds now */
  async flush(): Promise<void> {
    await this.options.projections.caughtUp({ name: OUTBOX, timeoutMs: CATCH_UP_TIMEOUT_MS });
    for (const receiver of this.sessions.keys()) this.deliver(receiver);
    await Promise.all([...this.sessions.values()].map((s) => s.queue));
  }

  private poke(): void {
    this.woken = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    const pollMs = this.options.pollIntervalMs ?? 1000;
    while (this.running) {
      await new Promise<void>((resolve) => {
        if (this.woken) return resolve();
        const timer = setTimeout(() => this.wake?.(), pollMs);
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
      this.woken = false;
      if (!this.running || this.sessions.size === 0) continue;
      try {
        await this.flush();
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }

  private deliver(receiver: PushReceiver): void {
    const session = this.sessions.get(receiver);
    if (!session) return;
    session.queue = session.queue
      .then(async () => {
        for (;;) {
          if (this.sessions.get(receiver) !== session) return;
          const page = await this.options.readModels.list<PendingDoc & JsonObject>(OUTBOX, PENDING, {
            prefix: pendingPrefix(receiver.domain),
            afterKey: session.cursor,
            limit: PAGE,
          });
          for (const { key, doc } of page) {
            if (!receiver.push(doc.push)) {
              this.detach(receiver);
              return;
            }
            session.cursor = key;
          }
          if (page.length < PAGE) return;
        }
      })
      .catch((error: unknown) => this.options.onError?.(error));
  }
}
