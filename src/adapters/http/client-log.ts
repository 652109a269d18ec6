/**
 * Logging what clients do wrong without letting them fill the log: at most one line per
 * client (source address) and minute for each kind of line, with the number of further
 * occurrences since the last line; every occurrence is counted in a metric. Used for
 * hostile input (JSON nested too deep, floods, too many connections, broken WebSocket
 * frames: `warn`) and for requests the server failed to answer (`error`: a bug, but one a
 * stranger may be able to repeat). Memory stays bounded: entries older than the interval
 * are dropped, and beyond `maxClients` addresses in one interval the rest share one line.
 */
import type { Counter, MetricsRegistry } from './metrics';

export type ClientLogLevel = 'warn' | 'error';

export interface ClientLogSink {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ClientLogOptions {
  readonly intervalMs?: number;
  readonly maxClients?: number;
  readonly now?: () => number;
}

/** what a stranger did, as the metric's `kind` label */
export type HostileKind = 'json-too-deep' | 'forbidden-key' | 'too-large' | 'binary-message' | 'message-flood' | 'too-many-connections' | 'websocket-protocol';

interface Entry {
  loggedAt: number;
  suppressed: number;
}

const OVERFLOW = '(other clients)';

export class ClientLog {
  private readonly intervalMs: number;
  private readonly maxClients: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  private lastSweep: number;
  private readonly hostile: Counter<'kind'>;
  private readonly failures: Counter<'where'>;

  constructor(
    private readonly sink: ClientLogSink,
    metrics: MetricsRegistry,
    options: ClientLogOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.maxClients = options.maxClients ?? 10_000;
    this.now = options.now ?? Date.now;
    this.lastSweep = this.now();
    this.hostile = metrics.counter('zt_hostile_input_total', 'requests and messages refused as hostile (nesting too deep, floods, too many connections, broken frames), by kind', ['kind']);
    this.failures = metrics.counter('zt_client_failures_total', 'requests and messages the server failed to answer (internal errors), by where they came in', ['where']);
  }

  /** hostile input from `client`: counted always, logged at warn at most once a minute per client */
  hostileInput(client: string, kind: HostileKind, detail: string, fields: Record<string, unknown> = {}): void {
    this.hostile.inc({ kind });
    this.write('warn', client, { kind, detail, ...fields }, 'hostile input refused (logged at most once a minute per client)');
  }

  /** the server failed to answer `client`: counted always, logged at error at most once a minute per client */
  failure(client: string, where: string, error: unknown, fields: Record<string, unknown> = {}): void {
    this.failures.inc({ where });
    this.write('error', client, { where, err: error, ...fields }, 'the server failed to answer a client (logged at most once a minute per client)');
  }

  private write(level: ClientLogLevel, client: string, fields: Record<string, unknown>, msg: string): void {
    const now = this.now();
    this.sweep(now);
    let key = `${level} ${client}`;
    if (!this.entries.has(key) && this.entries.size >= this.maxClients) key = `${level} ${OVERFLOW}`;
    const entry = this.entries.get(key);
    if (entry && now - entry.loggedAt < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    this.entries.set(key, { loggedAt: now, suppressed: 0 });
    const line = { client: key.slice(level.length + 1), ...fields, ...(suppressed > 0 ? { suppressedSinceLastLine: suppressed } : {}) };
    try {
      this.sink[level](line, msg);
    } catch {
      // a log line that cannot be written must not fail the request that caused it
    }
  }

  /** drop what is older than the interval; what was left out since a client's last line is told in one closing line */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.intervalMs) return;
    this.lastSweep = now;
    for (const [key, entry] of this.entries) {
      if (now - entry.loggedAt < this.intervalMs) continue;
      this.entries.delete(key);
      if (entry.suppressed === 0) continue;
      const level = key.slice(0, key.indexOf(' ')) as ClientLogLevel;
      try {
        this.sink[level]({ client: key.slice(level.length + 1), suppressedSinceLastLine: entry.suppressed }, 'more of the same from this client since its last line');
      } catch {
        // as above
      }
    }
  }
}
