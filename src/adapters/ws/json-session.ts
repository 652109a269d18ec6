/**
 * The message layer of every zerotouch WebSocket: JSON objects with a message type `mt`
 * and, on requests, a caller-chosen `src` echoed in the `<mt>Result`. Each message is
 * decoded with its io-ts codec; anything malformed or unknown gets an error result and
 * the connection stays up. Messages of one connection are handled in order. A client that
 * does not log in within the timeout is closed; ping/pong heartbeats drop dead peers.
 */
import type { WebSocket } from 'ws';
import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { describeErrors } from '../http/decode';

export const MAX_MESSAGE = 64 * 1024;

export type WsErrorCode =
  | 'validation-failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'unknown-code'
  | 'payload-too-large'
  | 'unavailable'
  | 'bad-gateway'
  | 'rate-limited'
  | 'internal-error';

/** Thrown by a message handler: answered as `{mt: "<mt>Result", src, error: {code, detail}}`. */
export class WsError extends Error {
  override readonly name = 'WsError';
  constructor(
    readonly code: WsErrorCode,
    readonly detail: string,
  ) {
    super(detail);
  }
}

export interface SessionContext<State> {
  readonly state: State;
  send(message: Record<string, unknown>): void;
  close(code?: number, reason?: string): void;
  readonly socket: WebSocket;
}

export interface MessageHandler<State, Message> {
  readonly codec: t.Type<Message, unknown, unknown>;
  /** allowed before login (the Login message itself) */
  readonly beforeLogin?: boolean;
  /**
   * handled beside the messages that follow instead of before them (a slow request such
   * as one that waits on another service); its result may then overtake later results,
   * which the caller matches by `src`
   */
  readonly concurrent?: boolean;
  /** the fields of the result message, or undefined for messages without a result (acks) */
  handle(message: Message, context: SessionContext<State>): Promise<Record<string, unknown> | undefined> | Record<string, unknown> | undefined;
}

export interface SessionLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface JsonSessionOptions<State> {
  readonly state: State;
  readonly loggedIn: (state: State) => boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly messages: Readonly<Record<string, MessageHandler<State, any>>>;
  readonly loginTimeoutMs?: number;
  readonly heartbeatMs?: number;
  readonly logger?: SessionLogger;
  /** sent right after the connection opens (the Challenge) */
  readonly greeting?: Record<string, unknown>;
  readonly onClose?: (state: State) => void;
  /** the largest message accepted (default 64 KiB; at most the 1 MiB frame limit of the endpoints) */
  readonly maxMessageBytes?: number;
}

export function serveJsonSession<State>(socket: WebSocket, options: JsonSessionOptions<State>): SessionContext<State> {
  const loginTimeoutMs = options.loginTimeoutMs ?? 10_000;
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const maxMessage = options.maxMessageBytes ?? MAX_MESSAGE;
  let alive = true;
  let queue: Promise<void> = Promise.resolve();

  const context: SessionContext<State> = {
    state: options.state,
    socket,
    send(message) {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    },
    close(code = 1000, reason = '') {
      if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, reason);
    },
  };

  const loginTimer = setTimeout(() => {
    if (!options.loggedIn(options.state)) context.close(4001, 'login timeout');
  }, loginTimeoutMs);
  const heartbeat = setInterval(() => {
    if (!alive) {
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, heartbeatMs);
  socket.on('pong', () => {
    alive = true;
  });
  socket.on('close', () => {
    clearTimeout(loginTimer);
    clearInterval(heartbeat);
    options.onClose?.(options.state);
  });
  socket.on('error', (error) => options.logger?.warn({ err: error }, 'websocket error'));

  const fail = (mt: string | undefined, src: unknown, code: WsErrorCode, detail: string): void => {
    context.send({ mt: mt ? `${mt}Result` : 'Error', ...(src !== undefined ? { src } : {}), error: { code, detail } });
  };

  socket.on('message', (data, isBinary) => {
    alive = true;
    queue = queue.then(async () => {
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer | ArrayBuffer).byteLength;
      if (size > maxMessage) return fail(undefined, undefined, 'payload-too-large', `messages are limited to ${maxMessage} bytes`);
      if (isBinary) return fail(undefined, undefined, 'validation-failed', 'binary messages are not supported; send JSON text');
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        return fail(undefined, undefined, 'validation-failed', 'the message is not valid JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return fail(undefined, undefined, 'validation-failed', 'a message must be a JSON object with a message type "mt"');
      }
      const { mt, src } = parsed as { mt?: unknown; src?: unknown };
      if (typeof mt !== 'string' || mt.length === 0 || mt.length > 100) {
        return fail(undefined, src, 'validation-failed', 'a message must have a message type "mt" (a string)');
      }
      const handler = Object.prototype.hasOwnProperty.call(options.messages, mt) ? options.messages[mt] : undefined;
      if (!handler) return fail(mt, src, 'validation-failed', `unknown message type ${mt}`);
      if (!handler.beforeLogin && !options.loggedIn(options.state)) return fail(mt, src, 'unauthorized', 'log in first');
      const decoded = handler.codec.decode(parsed);
      if (E.isLeft(decoded)) return fail(mt, src, 'validation-failed', describeErrors(decoded.left, mt).join('; '));
      const run = async (): Promise<void> => {
        try {
          const result = await handler.handle(decoded.right, context);
          if (result !== undefined) context.send({ mt: `${mt}Result`, ...(src !== undefined ? { src } : {}), ...result });
        } catch (error) {
          if (error instanceof WsError) return fail(mt, src, error.code, error.detail);
          options.logger?.error({ err: error, mt }, 'websocket message failed');
          fail(mt, src, 'internal-error', 'the server failed to answer this message; it has been logged');
        }
      };
      if (handler.concurrent) void run();
      else await run();
    });
  });

  if (options.greeting) context.send(options.greeting);
  return context;
}
