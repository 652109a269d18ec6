/**
 * The message layer of every zerotouch WebSocket: JSON objects with a message type `mt`
 * and, on requests, a caller-chosen `src` echoed in the `<mt>Result`. Each message is
 * decoded with its io-ts codec; anything malformed or unknown gets an error result and
 * the connection stays up. Messages of one connection are handled in order. A client that
 * does not log in within the timeout is closed; ping/pong heartbeats drop dead peers.
 *
 * Hostile clients: the JSON nesting is bounded before a message is parsed; a connection
 * that sends more than its message budget (a burst, then so many per second; answers to
 * the server's pushes are free) is answered `rate-limited` and closed with 4029; while 64
 * messages of a connection are waiting or running, its socket is not read (TCP pushes
 * back on the sender). No failure of a handler, of a send or of this layer itself can
 * escape a message's handling: nothing becomes an unhandled rejection or an uncaught
 * exception.
 */
import type { WebSocket } from 'ws';
import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { DEFAULT_MAX_JSON_DEPTH, parseBoundedJson } from '../http/bounded-json';
import type { ClientLog, HostileKind } from '../http/client-log';
import { describeErrors } from '../http/decode';
import { StoreUnavailableError } from '../../application/ports/event-store';
import { Refusal } from '../../application/refusal';
import { ANSWERS, STORE_UNAVAILABLE_DETAIL, type WsErrorCode } from '../refusals';

export const MAX_MESSAGE = 64 * 1024;

export type { WsErrorCode };

/**
 * Thrown by a message handler: answered as `{mt: "<mt>Result", src, error: {code, detail}}`,
 * as a handler's `Refusal` is (its token as the table of `../refusals.ts` says).
 */
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
  /** send a message the client is to answer (a push with an acknowledgement): its answer is not counted against the message budget */
  push(message: Record<string, unknown>): void;
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

/** what one connection may do (the server's configuration, `InputLimits`) */
export interface SessionLimits {
  readonly loginTimeoutMs: number;
  readonly messageBurst: number;
  readonly messagesPerSecond: number;
  readonly maxJsonDepth: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { loginTimeoutMs: 10_000, messageBurst: 1_000, messagesPerSecond: 200, maxJsonDepth: DEFAULT_MAX_JSON_DEPTH };

/** who is connected and under which limits, from the endpoint layer */
export interface WsConnection {
  /** the client's address (X-Forwarded-For's first entry behind a trusted proxy) */
  readonly client: string;
  readonly limits: SessionLimits;
  /** where hostile input and failures are logged, at most once a minute per client */
  readonly log?: ClientLog;
}

/** the close code of a connection that sent more messages than its budget */
export const CLOSE_TOO_MANY_MESSAGES = 4029;
/** messages of one connection waiting or running before its socket is no longer read */
const MAX_IN_FLIGHT = 64;

export interface JsonSessionOptions<State> {
  readonly state: State;
  readonly loggedIn: (state: State) => boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly messages: Readonly<Record<string, MessageHandler<State, any>>>;
  readonly connection: WsConnection;
  /** overrides the connection's login timeout */
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
  const { connection } = options;
  const limits = connection.limits;
  const loginTimeoutMs = options.loginTimeoutMs ?? limits.loginTimeoutMs;
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const maxMessage = options.maxMessageBytes ?? MAX_MESSAGE;
  const messageTypes = Object.keys(options.messages);
  let alive = true;
  let closing = false;

  /** something this layer did not expect: logged (at most once a minute per client), never thrown */
  const unexpected = (error: unknown, mt?: string): void => {
    try {
      if (connection.log) connection.log.failure(connection.client, 'websocket', error, mt ? { mt } : {});
      else options.logger?.error({ err: error, ...(mt ? { mt } : {}) }, 'websocket message failed');
    } catch {
      // nothing left to tell
    }
  };
  const hostile = (kind: HostileKind, detail: string): void => {
    try {
      connection.log?.hostileInput(connection.client, kind, detail);
    } catch {
      // nothing left to tell
    }
  };

  const write = (message: Record<string, unknown>): void => {
    if (socket.readyState !== socket.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(message);
    } catch (error) {
      unexpected(error, typeof message['mt'] === 'string' ? message['mt'] : undefined);
      text = JSON.stringify({ mt: 'Error', error: { code: 'internal-error', detail: 'the server failed to write its answer; it has been logged' } });
    }
    socket.send(text, (error) => {
      // a send that fails has lost its connection; the close handler cleans up
      if (error) alive = false;
    });
  };

  // the message budget: a token bucket, plus one free message per push that asks for an answer
  let tokens = limits.messageBurst;
  let credit = 0;
  let refilledAt = Date.now();
  const withinBudget = (): boolean => {
    if (credit > 0) {
      credit--;
      return true;
    }
    const now = Date.now();
    tokens = Math.min(limits.messageBurst, tokens + ((now - refilledAt) / 1000) * limits.messagesPerSecond);
    refilledAt = now;
    if (tokens < 1) return false;
    tokens--;
    return true;
  };

  const context: SessionContext<State> = {
    state: options.state,
    socket,
    send: write,
    push(message) {
      credit++;
      write(message);
    },
    close(code = 1000, reason = '') {
      closing = true;
      if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, reason);
    },
  };

  const loginTimer = setTimeout(() => {
    if (!options.loggedIn(options.state)) context.close(4001, 'login timeout');
  }, loginTimeoutMs);
  const heartbeat = setInterval(() => {
    // a paused socket is not read, so its pongs are not seen: liveness is judged once it reads again
    if (socket.isPaused) return;
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
    closing = true;
    clearTimeout(loginTimer);
    clearInterval(heartbeat);
    try {
      options.onClose?.(options.state);
    } catch (error) {
      unexpected(error);
    }
  });
  // the ws library reports what a client broke (a frame over the size limit, invalid UTF-8, a bad opcode) and closes the connection itself
  socket.on('error', (error) => hostile('websocket-protocol', error.message));

  const fail = (mt: string | undefined, src: unknown, code: WsErrorCode, detail: string, extra: Record<string, unknown> = {}): void => {
    write({ mt: mt ? `${mt}Result` : 'Error', ...(src !== undefined ? { src } : {}), error: { code, detail, ...extra } });
  };

  /** one message, from its bytes to its result; it never throws (see `unexpected`) */
  const handleMessage = async (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): Promise<void> => {
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (size > maxMessage) {
      hostile('too-large', `a message of ${size} bytes`);
      return fail(undefined, undefined, 'payload-too-large', `messages are limited to ${maxMessage} bytes`);
    }
    if (isBinary) {
      hostile('binary-message', `a binary message of ${size} bytes`);
      return fail(undefined, undefined, 'validation-failed', 'binary messages are not supported; send JSON text');
    }
    const text = (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
    const parsedJson = parseBoundedJson(text, limits.maxJsonDepth);
    if (!parsedJson.ok) {
      if (parsedJson.reason === 'too-deep') hostile('json-too-deep', parsedJson.detail);
      if (parsedJson.reason === 'forbidden-key') hostile('forbidden-key', parsedJson.detail);
      return fail(undefined, undefined, 'validation-failed', parsedJson.detail);
    }
    const parsed = parsedJson.value;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return fail(undefined, undefined, 'validation-failed', 'a message must be a JSON object with a message type "mt"');
    }
    const { mt, src } = parsed as { mt?: unknown; src?: unknown };
    if (typeof mt !== 'string' || mt.length === 0 || mt.length > 100) {
      return fail(undefined, src, 'validation-failed', 'a message must have a message type "mt" (a string)');
    }
    const handler = Object.prototype.hasOwnProperty.call(options.messages, mt) ? options.messages[mt] : undefined;
    // the list of message types is an addition: a client (or a test) learns what this endpoint takes
    if (!handler) return fail(mt, src, 'validation-failed', `unknown message type ${mt}`, { messageTypes });
    if (!handler.beforeLogin && !options.loggedIn(options.state)) return fail(mt, src, 'unauthorized', 'log in first');
    const decoded = handler.codec.decode(parsed);
    if (E.isLeft(decoded)) return fail(mt, src, 'validation-failed', describeErrors(decoded.left, mt).join('; '));
    const run = async (): Promise<void> => {
      try {
        const result = await handler.handle(decoded.right, context);
        if (result !== undefined) write({ mt: `${mt}Result`, ...(src !== undefined ? { src } : {}), ...result });
      } catch (error) {
        if (error instanceof WsError) return fail(mt, src, error.code, error.detail);
        if (error instanceof Refusal) return fail(mt, src, ANSWERS[error.code].ws, error.detail, error.extensions);
        // as over HTTP (503): the client may try again once the database is back
        if (error instanceof StoreUnavailableError) {
          options.logger?.warn({ err: error, mt }, 'event store unavailable');
          return fail(mt, src, ANSWERS.unavailable.ws, STORE_UNAVAILABLE_DETAIL);
        }
        unexpected(error, mt);
        fail(mt, src, 'internal-error', 'the server failed to answer this message; it has been logged');
      }
    };
    if (handler.concurrent) {
      // runs beside the next messages, but still counts as in flight until it is done
      inFlight++;
      void run().catch(unexpected).finally(settled);
    } else await run();
  };

  // messages run one after another (a concurrent one only starts in turn); a paused socket is not read
  const waiting: Array<() => Promise<void>> = [];
  let inFlight = 0;
  let draining = false;
  const settled = (): void => {
    inFlight--;
    try {
      if (socket.isPaused && inFlight <= MAX_IN_FLIGHT / 2) socket.resume();
    } catch (error) {
      unexpected(error);
    }
  };
  const drain = async (): Promise<void> => {
    if (draining) return;
    draining = true;
    try {
      for (let next = waiting.shift(); next; next = waiting.shift()) {
        try {
          await next();
        } catch (error) {
          unexpected(error);
        } finally {
          settled();
        }
      }
    } finally {
      draining = false;
    }
  };

  socket.on('message', (data, isBinary) => {
    try {
      alive = true;
      if (closing) return;
      if (!withinBudget()) {
        closing = true;
        hostile('message-flood', `more than ${limits.messageBurst} messages at once or ${limits.messagesPerSecond} a second`);
        fail(undefined, undefined, 'rate-limited', `too many messages: at most ${limits.messageBurst} at once, then ${limits.messagesPerSecond} a second; closing`);
        socket.close(CLOSE_TOO_MANY_MESSAGES, 'too many messages');
        return;
      }
      inFlight++;
      waiting.push(() => handleMessage(data as Buffer | ArrayBuffer | Buffer[], isBinary));
      if (inFlight >= MAX_IN_FLIGHT) socket.pause();
      void drain().catch(unexpected);
    } catch (error) {
      unexpected(error);
    }
  });

  if (options.greeting) write(options.greeting);
  return context;
}
