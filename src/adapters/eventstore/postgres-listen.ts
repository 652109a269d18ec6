/**
 * One connection LISTENing for the appends of other processes; when it drops, it connects
 * again (with backoff) and wakes the listeners, since notifications may have been missed.
 * A notification's payload is the head after the append and the JSON array of the event
 * types it wrote (`123 ["A","B"]`); the head alone (an older node, a long list of types),
 * or anything else, names no types, and wakes every listener.
 */
import pg from 'pg';
import { notifyChannel, quoteIdent } from './postgres-sql';

export class NotificationLoop {
  private loop: Promise<void> | undefined;
  private client: pg.Client | undefined;
  private wake: (() => void) | undefined;
  private stopping = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly schema: string,
    private readonly onNotification: (types?: ReadonlySet<string>) => void,
  ) {}

  start(): void {
    if (!this.stopping) this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.client?.end().catch(() => {});
    await this.loop;
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.stopping) {
      const client = new pg.Client(this.config);
      client.on('error', () => {}); // the 'end' below handles a broken connection
      const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
      try {
        await client.connect();
        client.on('notification', (message) => this.onNotification(appendedTypes(message.payload)));
        await client.query(`LISTEN ${quoteIdent(notifyChannel(this.schema))}`);
        if (this.stopping) {
          await client.end().catch(() => {});
          return;
        }
        this.client = client;
        backoff = 100;
        this.onNotification(); // anything appended while we were not listening
        await ended;
        this.client = undefined;
      } catch {
        await client.end().catch(() => {});
      }
      if (this.stopping) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, backoff);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
      backoff = Math.min(backoff * 2, 5000);
    }
  }
}

/** the types a notification names, or undefined (unknown: anything may have been appended) */
export function appendedTypes(payload: string | undefined): ReadonlySet<string> | undefined {
  const space = payload?.indexOf(' ') ?? -1;
  if (payload === undefined || space < 0) return undefined;
  try {
    const types: unknown = JSON.parse(payload.slice(space + 1));
    if (!Array.isArray(types) || types.length === 0 || !types.every((t) => typeof t === 'string')) return undefined;
    return new Set(types as string[]);
  } catch {
    return undefined;
  }
}
