/**
 * Users' client of the Devices apps WebSocket (SPEC §5.2): logs in with the HMAC of the
 * server's challenge under the domain's app password, asks for categories and codes
 * (request/response by `src`, each with a timeout), receives `PhoneProvisioned` pushes
 * one at a time and acknowledges each only after its handler has recorded it.
 *
 * It keeps reconnecting with exponential backoff and jitter (capped), sends heartbeats and
 * drops a silent connection. While it is not logged in, requests fail at once with a
 * clear `unavailable` Refusal saying why. Devices' refusals come with their tokens; an
 * answer Users cannot read is `bad-gateway` (see devices-port.ts).
 */
import { createHmac } from 'node:crypto';
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import * as t from 'io-ts';
import WebSocket from 'ws';
import { DEFAULT_MAX_JSON_DEPTH, parseBoundedJson } from '../http/bounded-json';
import { describeErrors, parseCategoryId, parseId, parseMac, parseModel, parseProvisioningCode, parseTimestamp, type CategoryId, type DomainError, type Id } from '../../domain';
import { Refusal } from '../../application/refusal';
import {
  type DevicesApps,
  type DevicesCategory,
  type DevicesConnectionStatus,
  type IssuedCode,
  type PhoneProvisionedNotice,
} from '../../application/users/devices-port';
import { isWsErrorCode } from '../refusals';

export interface DevicesClientLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DevicesClientOptions {
  /** the base URL of Devices (http or https); the client connects to `<url>/devices/v1/apps` over ws or wss */
  readonly devicesUrl: string;
  readonly domain: string;
  /** the domain's app password; without it the client does not connect and says so */
  readonly appPassword: string | undefined;
  /** how long a request may wait for its result (default 10 s) */
  readonly requestTimeoutMs?: number;
  /** how long the challenge and login may take (default 10 s) */
  readonly loginTimeoutMs?: number;
  /** ping interval; a connection that does not answer two in a row is dropped (default 30 s) */
  readonly heartbeatMs?: number;
  /** the first reconnect delay, doubled on every failed attempt up to `maxBackoffMs` (defaults 500 ms, 30 s) */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** a number in [0, 1) for the jitter (default Math.random) */
  readonly jitter?: () => number;
  readonly logger?: DevicesClientLogger;
  /** called for each message from Devices that Users cannot read (it is not acknowledged) */
  readonly onBadMessage?: (detail: string) => void;
}

type Phase = 'stopped' | 'unconfigured' | 'connecting' | 'logging-in' | 'connected' | 'waiting';

interface Pending {
  readonly mt: string;
  readonly resolve: (message: Record<string, unknown>) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

const Challenge = t.type({ mt: t.literal('Challenge'), challenge: t.string });
const LoginResult = t.type({ mt: t.literal('LoginResult'), ok: t.boolean });
const ErrorResult = t.type({ error: t.type({ code: t.string, detail: t.string }) });
const CategoriesResult = t.type({ categories: t.array(t.type({ id: t.string, name: t.string })) });
const CodeResult = t.type({ code: t.string, expiresAt: t.string });
const CodesResult = t.type({ codes: t.array(CodeResult) });
const PhoneProvisionedMessage = t.type({ mt: t.literal('PhoneProvisioned'), id: t.string, mac: t.string, code: t.union([t.string, t.null]), model: t.string, at: t.string });

/** The apps WebSocket URL of a Devices base URL. */
export function appsUrl(devicesUrl: string): string {
  const url = new URL(devicesUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`the Devices URL must be http(s), got ${devicesUrl}`);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/devices/v1/apps`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/**
 * The wait before reconnect attempt `attempt` (0 after a working connection): the
 * ceiling doubles from `initialMs` per failed attempt up to `maxMs`; the wait is drawn
 * from its upper half ("equal jitter"), so clients that lost Devices together do not all
 * come back at once, and none hammers it.
 */
export function reconnectDelay(attempt: number, initialMs: number, maxMs: number, jitter: number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (Math.min(Math.max(jitter, 0), 1) * ceiling) / 2);
}

/** hex HMAC-SHA256 of the challenge, keyed with the app password (SPEC §5.2) */
export const loginDigest = (appPassword: string, challenge: string): string => createHmac('sha256', appPassword).update(challenge).digest('hex');

const decodeOr = <A>(codec: t.Decoder<unknown, A>, message: unknown, what: string): A => {
  const decoded = codec.decode(message);
  if (E.isLeft(decoded)) throw new Refusal('bad-gateway', `Devices answered ${what} in an unexpected shape: ${describeErrors(decoded.left)}`);
  return decoded.right;
};

const orProtocolError = <A>(either: E.Either<DomainError, A>, what: string): A => {
  if (E.isLeft(either)) throw new Refusal('bad-gateway', `Devices sent ${what}: ${either.left.detail}`);
  return either.right;
};

/** Devices' error result as Users passes it on: its token when it is one of SPEC §3, else `bad-gateway` */
const refusedByDevices = (error: { readonly code: string; readonly detail: string }): Refusal =>
  new Refusal(isWsErrorCode(error.code) ? error.code : 'bad-gateway', `Devices: ${error.detail}`);

/** A PhoneProvisioned push as the application takes it, or why it cannot be read. */
export function parsePhoneProvisioned(message: unknown): E.Either<string, PhoneProvisionedNotice> {
  const decoded = PhoneProvisionedMessage.decode(message);
  if (E.isLeft(decoded)) return E.left(describeErrors(decoded.left));
  const m = decoded.right;
  return pipe(
    E.Do,
    E.apS('noticeId', parseId(m.id, 'a notice id')),
    E.apS('mac', parseMac(m.mac)),
    E.apS('model', parseModel(m.model)),
    E.apS('code', m.code === null ? E.right(null) : parseProvisioningCode(m.code)),
    E.apS('at', parseTimestamp(m.at)),
    E.mapLeft((e: DomainError) => e.detail),
  );
}

function issuedCode(result: t.TypeOf<typeof CodeResult>): IssuedCode {
  return {
    code: orProtocolError(parseProvisioningCode(result.code), 'a code that is not 12 digits'),
    expiresAt: orProtocolError(parseTimestamp(result.expiresAt), 'an expiry that is not a time'),
  };
}

export class DevicesWsClient implements DevicesApps {
  private readonly url: string;
  private readonly requestTimeoutMs: number;
  private readonly loginTimeoutMs: number;
  private readonly heartbeatMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly jitter: () => number;
  private phase: Phase;
  private detail: string;
  private socket: WebSocket | undefined;
  private readonly pending = new Map<string, Pending>();
  private nextSrc = 0;
  private attempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private loginTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private noticeHandler: ((notice: PhoneProvisionedNotice) => Promise<void>) | undefined;
  private notices: Promise<void> = Promise.resolve();
  /** a message or pong came since the last ping */
  private alive = true;
  /** why this client closed the current connection */
  private closeReason: string | undefined;

  constructor(private readonly options: DevicesClientOptions) {
    this.url = appsUrl(options.devicesUrl);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.loginTimeoutMs = options.loginTimeoutMs ?? 10_000;
    this.heartbeatMs = options.heartbeatMs ?? 30_000;
    this.initialBackoffMs = options.initialBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.jitter = options.jitter ?? Math.random;
    this.phase = options.appPassword ? 'stopped' : 'unconfigured';
    this.detail = options.appPassword
      ? 'not started'
      : `no app password (ZT_USERS_APP_PASSWORD is not set): Users serves its directory but does not connect to Devices at ${this.url}`;
  }

  /** start connecting (nothing happens without an app password) */
  start(): void {
    if (this.phase !== 'stopped') return;
    this.connect();
  }

  /** close the connection and stop reconnecting; waits for the notice being recorded */
  async stop(): Promise<void> {
    if (this.phase === 'unconfigured') return;
    this.phase = 'stopped';
    this.detail = 'stopped';
    clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
    }
    this.connectionLost('the client stopped');
    await this.notices;
  }

  status(): DevicesConnectionStatus {
    return { connected: this.phase === 'connected', detail: this.detail };
  }

  async getCategories(): Promise<readonly DevicesCategory[]> {
    const result = decodeOr(CategoriesResult, await this.request('GetCategories', {}), 'GetCategories');
    return result.categories.map((c) => ({ id: orProtocolError(parseCategoryId(c.id), 'a category id that is not valid'), name: c.name }));
  }

  async getProvisioningCode(category: CategoryId): Promise<IssuedCode> {
    return issuedCode(decodeOr(CodeResult, await this.request('GetProvisioningCode', { category }), 'GetProvisioningCode'));
  }

  async getProvisioningCodes(category: CategoryId, count: number): Promise<readonly IssuedCode[]> {
    const result = decodeOr(CodesResult, await this.request('GetProvisioningCodes', { category, count }), 'GetProvisioningCodes');
    if (result.codes.length !== count) throw new Refusal('bad-gateway', `Devices answered ${result.codes.length} codes for ${count}`);
    return result.codes.map(issuedCode);
  }

  onPhoneProvisioned(handler: (notice: PhoneProvisionedNotice) => Promise<void>): void {
    this.noticeHandler = handler;
  }

  acknowledge(noticeId: Id): void {
    this.send({ mt: 'PhoneProvisionedAck', id: noticeId });
  }

  private connect(): void {
    this.phase = 'connecting';
    this.detail = `connecting to ${this.url}`;
    const socket = new WebSocket(this.url, { handshakeTimeout: this.loginTimeoutMs, maxPayload: 1024 * 1024, perMessageDeflate: false });
    this.socket = socket;
    let lastError: string | undefined;
    socket.on('open', () => {
      this.phase = 'logging-in';
      this.detail = `logging in to ${this.url} as domain ${this.options.domain}`;
      this.loginTimer = setTimeout(() => this.drop(socket, 4001, `Devices did not complete the login within ${this.loginTimeoutMs} ms`), this.loginTimeoutMs);
    });
    socket.on('message', (data, isBinary) => {
      if (socket !== this.socket) return;
      this.alive = true;
      // bounded as the server bounds what it reads: a deep message must not overflow the decoders' error messages
      const parsed = isBinary ? undefined : parseBoundedJson(data.toString(), DEFAULT_MAX_JSON_DEPTH);
      const message = parsed?.ok ? parsed.value : undefined;
      if (typeof message !== 'object' || message === null || Array.isArray(message)) return this.badMessage('a message that is not a JSON object');
      this.onMessage(socket, message as Record<string, unknown>);
    });
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('error', (error) => {
      lastError = error.message;
    });
    socket.on('close', (code, reason) => {
      if (socket !== this.socket) return;
      this.socket = undefined;
      const why = this.closeReason ?? lastError ?? `closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`;
      this.closeReason = undefined;
      this.connectionLost(why);
      this.scheduleReconnect(why);
    });
  }

  private onMessage(socket: WebSocket, message: Record<string, unknown>): void {
    const mt = message['mt'];
    if (mt === 'Challenge' && this.phase === 'logging-in') {
      const challenge = Challenge.decode(message);
      if (E.isLeft(challenge)) return this.badMessage('a Challenge without a challenge string');
      this.send({ mt: 'Login', app: 'users', domain: this.options.domain, digest: loginDigest(this.options.appPassword ?? '', challenge.right.challenge) });
      return;
    }
    if (mt === 'LoginResult') {
      const result = LoginResult.decode(message);
      if (E.isRight(result) && result.right.ok) return this.loggedIn(socket);
      return this.drop(socket, 4003, `Devices refused the login of domain ${this.options.domain} (check ZT_USERS_DOMAIN and ZT_USERS_APP_PASSWORD, or create the domain in Devices)`);
    }
    if (mt === 'PhoneProvisioned') return this.receiveNotice(socket, message);
    if (mt === 'PhoneProvisionedAckResult') {
      // a refused acknowledgement leaves the notice in Devices' outbox: it comes again
      const refused = ErrorResult.decode(message);
      if (E.isRight(refused)) this.options.logger?.warn({ id: message['id'], error: refused.right.error }, 'Devices refused an acknowledgement');
      return;
    }
    const src = message['src'];
    if (typeof mt === 'string' && mt.endsWith('Result') && typeof src === 'string') {
      const waiting = this.pending.get(src);
      if (waiting && `${waiting.mt}Result` === mt) {
        this.pending.delete(src);
        clearTimeout(waiting.timer);
        waiting.resolve(message);
      } else {
        this.options.logger?.warn({ mt, src }, 'Devices answered a request that had timed out; ignored');
      }
      return;
    }
    this.options.logger?.warn({ mt }, 'Devices sent a message Users does not expect; ignored');
  }

  private loggedIn(socket: WebSocket): void {
    clearTimeout(this.loginTimer);
    this.phase = 'connected';
    this.attempts = 0;
    this.detail = `connected to ${this.url} as domain ${this.options.domain}`;
    this.options.logger?.info({ url: this.url, domain: this.options.domain }, 'connected to Devices');
    this.alive = true;
    this.heartbeat = setInterval(() => {
      if (!this.alive) return this.drop(socket, 4002, `Devices did not answer a heartbeat within ${this.heartbeatMs} ms`);
      this.alive = false;
      socket.ping();
    }, this.heartbeatMs);
  }

  private receiveNotice(socket: WebSocket, message: Record<string, unknown>): void {
    const notice = parsePhoneProvisioned(message);
    if (E.isLeft(notice)) return this.badMessage(`a PhoneProvisioned notice Users cannot read (${notice.left}); it stays unacknowledged at Devices`);
    this.notices = this.notices.then(async () => {
      // a notice of a connection that has gone is sent again on the next one
      if (socket !== this.socket || this.noticeHandler === undefined) return;
      try {
        await this.noticeHandler(notice.right);
      } catch (error) {
        this.options.logger?.error({ err: error, noticeId: notice.right.noticeId }, 'recording a PhoneProvisioned notice failed; reconnecting to have it sent again');
        this.drop(socket, 4000, `recording notice ${notice.right.noticeId} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  }

  private badMessage(detail: string): void {
    this.options.logger?.error({ detail }, 'Devices sent a message Users cannot read');
    this.options.onBadMessage?.(detail);
  }

  private request(mt: string, fields: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.phase !== 'connected') {
      return Promise.reject(new Refusal('unavailable', this.detail.startsWith('not connected') ? this.detail : `not connected to Devices: ${this.detail}`));
    }
    const src = `u${++this.nextSrc}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(src);
        reject(new Refusal('unavailable', `Devices did not answer ${mt} within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(src, {
        mt,
        timer,
        reject,
        resolve: (message) => {
          const failed = ErrorResult.decode(message);
          if (E.isRight(failed)) reject(refusedByDevices(failed.right.error));
          else resolve(message);
        },
      });
      this.send({ mt, src, ...fields });
    });
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /** close this connection for a reason the status should show */
  private drop(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.closeReason = reason;
    this.options.logger?.warn({ url: this.url, reason }, 'dropping the connection to Devices');
    if (socket.readyState === WebSocket.OPEN) socket.close(code);
    else socket.terminate();
    // a peer that does not complete the closing handshake is cut off
    setTimeout(() => socket.terminate(), 2000).unref();
  }

  private connectionLost(why: string): void {
    clearTimeout(this.loginTimer);
    clearInterval(this.heartbeat);
    for (const [src, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(new Refusal('unavailable', `the connection to Devices closed before it answered ${waiting.mt}: ${why}`));
      this.pending.delete(src);
    }
  }

  private scheduleReconnect(why: string): void {
    if (this.phase === 'stopped') return;
    const delay = reconnectDelay(this.attempts, this.initialBackoffMs, this.maxBackoffMs, this.jitter());
    this.attempts++;
    this.phase = 'waiting';
    this.detail = `not connected to Devices at ${this.url}: ${why}; retrying in ${(delay / 1000).toFixed(1)} s`;
    if (this.attempts === 1) this.options.logger?.warn({ url: this.url, reason: why }, 'lost the connection to Devices; reconnecting');
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }
}
