/**
 * The client side of the Profile and UsersAdmin WebSockets (SPEC §6,
 * docs/protocols/users.md): `{mt:"Login", token}` first; requests carry a `src` and are
 * answered by their `…Result`; anything else the server sends is a push. A lost
 * connection is re-opened with growing pauses (1 s doubling to 15 s); a refused token is
 * not retried.
 */
import { AppError } from './errors';

export type Message = { readonly mt: string; readonly [key: string]: unknown };

export type SocketStatus =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'online'; readonly login: Message; readonly reconnected: boolean }
  | { readonly kind: 'offline'; readonly reason: string; readonly retryInMs: number }
  | { readonly kind: 'refused'; readonly detail: string };

export interface SocketListener {
  status(status: SocketStatus): void;
  push(message: Message): void;
}

interface Pending {
  readonly resolve: (message: Message) => void;
  readonly reject: (error: AppError) => void;
  readonly timer: number;
}

const MAX_PAUSE_MS = 15_000;

/** ws:// or wss:// on the page's own host */
const socketUrl = (path: string): string => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;

export class AppSocket {
  private socket: WebSocket | undefined;
  private readonly pending = new Map<string, Pending>();
  private sequence = 0;
  private failures = 0;
  private everOnline = false;
  private retryTimer: number | undefined;
  private stopped = false;
  private current: SocketStatus = { kind: 'connecting' };

  constructor(
    private readonly path: string,
    private readonly token: string,
    private readonly listener: SocketListener,
  ) {}

  get status(): SocketStatus {
    return this.current;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** close for good (log out, leaving the page) */
  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.retryTimer);
    this.socket?.close(1000, 'bye');
    this.socket = undefined;
    this.failAll('the page closed the connection');
  }

  /** reconnect at once (a "try again" button) */
  reconnect(): void {
    if (this.stopped) return;
    window.clearTimeout(this.retryTimer);
    const old = this.socket;
    this.socket = undefined;
    old?.close(1000, 'reconnect');
    this.failAll('reconnecting');
    this.connect();
  }

  /** send a request and wait for its `…Result`; an `error` in it rejects with that code and detail */
  request<T extends object>(mt: string, fields: Record<string, unknown> = {}, timeoutMs = 30_000): Promise<T & Message> {
    const socket = this.socket;
    if (this.current.kind !== 'online' || !socket) {
      return Promise.reject(new AppError('unavailable', 'Not connected to the server right now; the page reconnects on its own.'));
    }
    const src = `w${++this.sequence}`;
    return new Promise<T & Message>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.pending.delete(src);
        reject(new AppError('unavailable', `no answer to ${mt} within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(src, { resolve: (message) => resolve(message as T & Message), reject, timer });
      socket.send(JSON.stringify({ ...fields, mt, src }));
    });
  }

  /** a message that needs no answer */
  send(message: Message): void {
    if (this.current.kind === 'online') this.socket?.send(JSON.stringify(message));
  }

  private setStatus(status: SocketStatus): void {
    this.current = status;
    this.listener.status(status);
  }

  private connect(): void {
    this.setStatus({ kind: 'connecting' });
    let socket: WebSocket;
    try {
      socket = new WebSocket(socketUrl(this.path));
    } catch {
      this.closed(undefined, 1006);
      return;
    }
    this.socket = socket;
    socket.onopen = () => socket.send(JSON.stringify({ mt: 'Login', token: this.token }));
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      let message: Message;
      try {
        message = JSON.parse(String(event.data)) as Message;
      } catch {
        return;
      }
      this.receive(message);
    };
    socket.onclose = (event) => this.closed(socket, event.code);
  }

  private receive(message: Message): void {
    if (message.mt === 'LoginResult') {
      if (message['ok'] === true) {
        this.failures = 0;
        this.setStatus({ kind: 'online', login: message, reconnected: this.everOnline });
        this.everOnline = true;
      } else {
        const error = message['error'] as { detail?: unknown } | undefined;
        this.stopped = true;
        this.setStatus({ kind: 'refused', detail: typeof error?.detail === 'string' ? error.detail : 'the token is not valid' });
      }
      return;
    }
    const src = typeof message['src'] === 'string' ? message['src'] : undefined;
    const pending = src === undefined ? undefined : this.pending.get(src);
    if (src !== undefined && pending) {
      this.pending.delete(src);
      window.clearTimeout(pending.timer);
      const error = message['error'];
      if (error && typeof error === 'object') pending.reject(AppError.fromResult(error));
      else pending.resolve(message);
      return;
    }
    if (message.mt !== 'Error' && !message.mt.endsWith('Result')) this.listener.push(message);
  }

  private closed(socket: WebSocket | undefined, code: number): void {
    if (socket !== undefined && socket !== this.socket) return;
    this.socket = undefined;
    this.failAll('the connection to the server was lost');
    if (this.stopped) return;
    const retryInMs = Math.min(MAX_PAUSE_MS, 1000 * 2 ** this.failures);
    this.failures++;
    const reason =
      code === 1001
        ? 'The server is shutting down.'
        : this.current.kind === 'online'
          ? 'The connection to the server was lost.'
          : 'The server cannot be reached.';
    this.setStatus({ kind: 'offline', reason, retryInMs });
    this.retryTimer = window.setTimeout(() => this.connect(), retryInMs);
  }

  private failAll(detail: string): void {
    for (const [src, pending] of this.pending) {
      window.clearTimeout(pending.timer);
      pending.reject(new AppError('unavailable', detail));
      this.pending.delete(src);
    }
  }
}
