/**
 * Leases on PostgreSQL: session advisory locks (`pg_try_advisory_lock`) held on one
 * connection of their own. A lock lives as long as the session: when the process stops,
 * is killed (`kill -9` closes its sockets) or loses the connection, PostgreSQL frees its
 * locks at once and another process takes them at its next try. A held lease is answered
 * from memory and the connection checked at most every `verifyEveryMs`; a lease another
 * process holds is asked for again at most every `retryEveryMs` (a node asks for each of its
 * projections before every page it reads: without this, a node that holds none asked a dozen
 * times a page, which was most of its queries); a connection that
 * fails drops every lease of this process (the server freed them with the session).
 * Queries on the connection go one after another (pg's own queue on a client is deprecated),
 * however many leases are asked for at once.
 */
import pg from 'pg';
import type { Leases } from '../../application/ports/leases';
import { advisoryKey } from './postgres';

export interface PostgresLeasesOptions {
  readonly schema?: string;
  /** how often a held lease's connection is checked (default 1,000 ms) */
  readonly verifyEveryMs?: number;
  /** after a failed connection, wait this long before trying again (default 500 ms) */
  readonly reconnectAfterMs?: number;
  /** a lease held elsewhere is asked for again after this long (default 500 ms) */
  readonly retryEveryMs?: number;
}

export class PostgresLeases implements Leases {
  readonly shared = true;
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly held = new Set<string>();
  private readonly trying = new Map<string, Promise<boolean>>();
  /** when each lease held elsewhere was last refused */
  private readonly refusedAt = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();
  private verifiedAt = 0;
  private failedAt = 0;
  private closed = false;
  private readonly schema: string;
  private readonly verifyEveryMs: number;
  private readonly reconnectAfterMs: number;
  private readonly retryEveryMs: number;

  constructor(
    private readonly connectionString: string,
    options: PostgresLeasesOptions = {},
  ) {
    this.schema = options.schema ?? 'public';
    this.verifyEveryMs = options.verifyEveryMs ?? 1000;
    this.reconnectAfterMs = options.reconnectAfterMs ?? 500;
    this.retryEveryMs = options.retryEveryMs ?? 500;
  }

  /** the leases this process holds now */
  get holding(): readonly string[] {
    return [...this.held].sort();
  }

  hold(name: string): Promise<boolean> {
    const running = this.trying.get(name);
    if (running) return running;
    const attempt = this.tryHold(name).finally(() => this.trying.delete(name));
    this.trying.set(name, attempt);
    return attempt;
  }

  private async tryHold(name: string): Promise<boolean> {
    if (this.closed) return false;
    if (!this.client && Date.now() - this.failedAt < this.reconnectAfterMs) return false;
    if (!this.held.has(name) && Date.now() - (this.refusedAt.get(name) ?? 0) < this.retryEveryMs) return false;
    try {
      const client = await this.connection();
      if (this.held.has(name)) {
        if (Date.now() - this.verifiedAt >= this.verifyEveryMs) {
          await this.query(client, 'SELECT 1');
          this.verifiedAt = Date.now();
        }
        return this.held.has(name);
      }
      const result = await this.query<{ ok: boolean }>(client, `SELECT pg_try_advisory_lock(${this.key(name)}) AS ok`);
      if (result.rows[0]?.ok === true && this.client === client) this.held.add(name);
      if (this.held.has(name)) this.refusedAt.delete(name);
      else this.refusedAt.set(name, Date.now());
      return this.held.has(name);
    } catch {
      this.drop(this.client);
      return false;
    }
  }

  async release(name: string): Promise<void> {
    const client = this.client;
    if (!this.held.delete(name) || !client) return;
    await this.query(client, `SELECT pg_advisory_unlock(${this.key(name)})`).catch(() => this.drop(client));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.trying.values());
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.held.clear();
    this.client = undefined;
    // ending the session frees every lock it held
    await client?.end().catch(() => undefined);
  }

  /** one query at a time on the lease connection */
  private query<R extends pg.QueryResultRow>(client: pg.Client, sql: string): Promise<pg.QueryResult<R>> {
    const result = this.queue.then(() => client.query<R>(sql));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private key(name: string): string {
    return advisoryKey(`lease:${name}`, this.schema);
  }

  private connection(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: 5000, keepAlive: true, application_name: 'zerotouch leases' });
      client.on('error', () => this.drop(client));
      client.on('end', () => this.drop(client));
      try {
        await client.connect();
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      if (this.closed) {
        await client.end().catch(() => undefined);
        throw new Error('the leases are closed');
      }
      this.client = client;
      this.verifiedAt = Date.now();
      return client;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  /** the session is gone (or going): so are its locks */
  private drop(client: pg.Client | undefined): void {
    this.failedAt = Date.now();
    if (client === undefined || this.client !== client) return;
    this.client = undefined;
    this.held.clear();
    void client.end().catch(() => undefined);
  }
}
