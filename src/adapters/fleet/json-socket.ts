/**
 * A client of zerotouch's JSON WebSocket protocols (mt/src messages): requests matched
 * to their `<mt>Result` by `src`, pushes delivered to listeners.
 */
import WebSocket from 'ws';

export type Message = Record<string, unknown> & { mt: string };

export class JsonSocketError extends Error {
  override readonly name = 'JsonSocketError';
  constructor(
    readonly code: string,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

export class JsonSocket {
  private counter = 0;
  private readonly pending = new Map<string, { resolve: (m: Message) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly listeners = new Set<(m: Message) => void>();
  private closedError: Error | undefined;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      let message: Message;
      try {
        message = JSON.parse(data.toString()) as Message;
      } catch {
        return;
      }
      const src = typeof message['src'] === 'string' ? message['src'] : undefined;
      const waiting = src !== undefined ? this.pending.get(src) : undefined;
      if (waiting && typeof message.mt === 'string' && message.mt.endsWith('Result')) {
        this.pending.delete(src!);
        clearTimeout(waiting.timer);
        const error = message['error'] as { code?: string; detail?: string } | undefined;
        if (error) waiting.reject(new JsonSocketError(error.code ?? 'error', error.detail ?? 'request failed'));
        else waiting.resolve(message);
        return;
      }
      for (const listener of this.listeners) listener(message);
    });
    socket.on('close', (code, reason) => {
      this.closedError = new Error(`connection closed (${code}${reason.length ? `: ${reason.toString()}` : ''})`);
      for (const [src, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(this.closedError);
        this.pending.delete(src);
      }
    });
  }

  static connect(url: string, options: { timeoutMs?: number; rejectUnauthorized?: boolean } = {}): Promise<JsonSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { handshakeTimeout: options.timeoutMs ?? 10_000, rejectUnauthorized: options.rejectUnauthorized ?? true, maxPayload: 64 * 1024 * 1024 });
      const client = new JsonSocket(socket);
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket upgrade refused with ${res.statusCode} at ${url}`)));
    });
  }

  onMessage(listener: (m: Message) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** the next pushed message matching, within the timeout */
  next(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(new Error('timed out waiting for a message'));
      }, timeoutMs);
      const stop = this.onMessage((m) => {
        if (!match(m)) return;
        clearTimeout(timer);
        stop();
        resolve(m);
      });
    });
  }

  request(message: Message, timeoutMs = 30_000): Promise<Message> {
    if (this.closedError) return Promise.reject(this.closedError);
    const src = `r${++this.counter}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(src);
        reject(new Error(`no answer to ${message.mt} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(src, { resolve, reject, timer });
      this.socket.send(JSON.stringify({ ...message, src }));
    });
  }

  send(message: Message): void {
    this.socket.send(JSON.stringify(message));
  }

  close(): void {
    this.socket.close();
  }
}
