/**
 * Sends the outbox to the Users of each domain (SPEC §2 step 6, §5.2). Every logged-in
 * Users connection is a receiver with a cursor into its domain's `pending` notices
 * (`devices.outbox`, keys in log order): on login the cursor starts at the beginning, so
 * every unacknowledged notice is sent again, in order; afterwards each new notice is sent
 * to every connected Users of its domain as soon as the read model has it. A notice
 * leaves the outbox only with its acknowledgement, an event: a Users that goes away
 * without acknowledging loses nothing, whatever the others do, and nothing is lost by a
 * restart, which reads the outbox from the log again.
 *
 * On several nodes each node's dispatcher serves the Users connected to it, and a domain's
 * new notices are sent live by one node only: the one holding the domain's delivery lease
 * (`devices:outbox:<domain>`), which only a node with a Users of that domain asks for, and
 * gives back when its last one leaves. Otherwise every node's Users would record every notice
 * (harmless, but all the work of it twice, and the two racing on the same streams). A login
 * is still sent the whole outbox on any node; when the holder dies, another node with a Users
 * of the domain takes the lease at its next look (within `pollIntervalMs`) and sends what was
 * not acknowledged.
 */
import { mayConcern, type EventStore, type JsonObject } from '../ports/event-store';
import { localLeases, type Leases } from '../ports/leases';
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
  /** who sends a domain's new notices when several nodes share the store (default: this process, always) */
  readonly leases?: Leases;
}

/** the lease of sending a domain's new notices live */
export const deliveryLease = (domain: string): string => `devices:outbox:${domain}`;

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
    if (!this.sessions.delete(receiver)) return;
    // the domain's last Users here: another node's may send its notices from now on
    if (![...this.sessions.keys()].some((r) => r.domain === receiver.domain)) {
      this.leases.release(deliveryLease(receiver.domain)).catch((error: unknown) => this.options.onError?.(error));
    }
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

  private get leases(): Leases {
    return this.options.leases ?? localLeases;
  }

  /** resolves once every receiver of a domain whose notices this node sends has been sent what the outbox holds now */
  async flush(): Promise<void> {
    const domains = [...new Set([...this.sessions.keys()].map((r) => r.domain))];
    const held = new Set((await Promise.all(domains.map(async (d) => ((await this.leases.hold(deliveryLease(d))) ? [d] : [])))).flat());
    const receivers = [...this.sessions.keys()].filter((r) => held.has(r.domain));
    if (receivers.length === 0) return;
    await this.options.projections.caughtUp({ name: OUTBOX, timeoutMs: CATCH_UP_TIMEOUT_MS });
    for (const receiver of receivers) this.deliver(receiver);
    await Promise.all(receivers.map((r) => this.sessions.get(r)?.queue));
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
