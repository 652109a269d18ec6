/**
 * Configuration (SPEC §9): environment variables, optionally a JSON config file with the
 * same keys (`ZT_CONFIG=/etc/zerotouch.json` or `--config`); the environment wins. Secrets
 * not given are generated on first run and kept in the data dir (mode 0600).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IP_THROTTLE, MAC_THROTTLE } from '../domain/throttle';

export type PartName = 'redirector' | 'devices' | 'users';
export const PART_NAMES: readonly PartName[] = ['redirector', 'devices', 'users'];

export interface RateLimit {
  /** wrong codes allowed before throttling */
  readonly burst: number;
  /** then one more every this many milliseconds */
  readonly refillMs: number;
}

/** Bounds on what a client may send (docs/security.md, "Limits") */
export interface InputLimits {
  /** JSON nesting of HTTP bodies and WebSocket messages (ZT_JSON_MAX_DEPTH) */
  readonly maxJsonDepth: number;
  /** a WebSocket client must log in within this time (ZT_WS_LOGIN_TIMEOUT_MS) */
  readonly wsLoginTimeoutMs: number;
  /** messages a WebSocket connection may send at once (ZT_WS_MESSAGE_BURST) ... */
  readonly wsMessageBurst: number;
  /** ... and then per second (ZT_WS_MESSAGES_PER_SECOND); answers to the server's pushes are not counted */
  readonly wsMessagesPerSecond: number;
  /** open WebSocket connections per source address and endpoint (ZT_WS_CONNECTIONS_PER_IP) */
  readonly wsConnectionsPerIp: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxJsonDepth: 64,
  wsLoginTimeoutMs: 10_000,
  wsMessageBurst: 1_000,
  wsMessagesPerSecond: 200,
  wsConnectionsPerIp: 256,
};

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly store: string;
  readonly adminToken: string;
  readonly operatorToken: string;
  /** where Devices asks for codes; undefined: this process's own Redirector */
  readonly redirectorUrl: string | undefined;
  /** the Redirector API key of this Devices (ZT_REDIRECTOR_API_KEY); with the own Redirector it is generated */
  readonly redirectorApiKey: string | undefined;
  readonly usersDomain: string;
  /** the Devices app password Users logs in with; undefined until the demo bootstrap makes one */
  readonly usersAppPassword: string | undefined;
  /** where Users finds Devices (ZT_DEVICES_URL); default: this process */
  readonly devicesUrl: string;
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  readonly serverSecret: Buffer;
  readonly logLevel: string;
  readonly trustProxy: boolean;
  /** `serve` on SQLite runs the projections in a worker thread (ZT_PROJECTION_THREAD, default on) */
  readonly projectionThread: boolean;
  /** a stop (SIGTERM, SIGINT) that has not finished after this many seconds ends the process (ZT_SHUTDOWN_TIMEOUT_SECONDS) */
  readonly shutdownTimeoutSeconds: number;
  readonly pollSeconds: number;
  readonly codeTtlDays: number;
  readonly rateLimits: { readonly perMac: RateLimit; readonly perIp: RateLimit };
  readonly inputLimits: InputLimits;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

interface StoredSecrets {
  serverSecret: string;
  adminToken: string;
  operatorToken: string;
  [key: string]: string;
}

const SECRETS_FILE = 'secrets.json';

/** A token to show to a human: 32 random bytes, base64url. */
export const newToken = (): string => randomBytes(32).toString('base64url');

/** The generated secrets of a data dir, created on first use. */
export function dataDirSecrets(dataDir: string): StoredSecrets {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, SECRETS_FILE);
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets;
    if (!stored.serverSecret || !stored.adminToken || !stored.operatorToken) throw new ConfigError(`${file} is incomplete; restore it from backup`);
    return stored;
  }
  const fresh: StoredSecrets = { serverSecret: randomBytes(32).toString('base64'), adminToken: newToken(), operatorToken: newToken() };
  writeFileSync(file, `${JSON.stringify(fresh, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return fresh;
}

/** A further secret kept in the data dir (the demo app password, an API key), if any. */
export function storedSecret(dataDir: string, key: string): string | undefined {
  return dataDirSecrets(dataDir)[key] || undefined;
}

/** Keep (or replace) a further secret in the data dir. */
export function storeSecret(dataDir: string, key: string, value: string): string {
  const stored = dataDirSecrets(dataDir);
  stored[key] = value;
  writeFileSync(join(dataDir, SECRETS_FILE), `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  return value;
}

/** The secret kept under `key`, made and kept on first use. */
export function rememberSecret(dataDir: string, key: string, make: () => string): string {
  return storedSecret(dataDir, key) ?? storeSecret(dataDir, key, make());
}

function int(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function onOff(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new ConfigError(`${name} must be on or off, got ${JSON.stringify(value)}`);
}

function url(name: string, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(`${name} must be an http(s) URL, got ${JSON.stringify(value)}`);
  return value.replace(/\/+$/, '');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: { configFile?: string } = {}): Config {
  const file = options.configFile ?? env['ZT_CONFIG'];
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigError(`cannot read config file ${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile)) throw new ConfigError(`config file ${file} must hold a JSON object`);
  }
  const get = (key: string): string | undefined => {
    const v = env[key] ?? fromFile[key];
    return v === undefined || v === null ? undefined : String(v);
  };

  const host = get('ZT_HOST') ?? '127.0.0.1';
  const port = int('ZT_PORT', get('ZT_PORT'), 8080, 0, 65535);
  const dataDir = resolve(get('ZT_DATA_DIR') ?? './data');
  const certFile = get('ZT_TLS_CERT');
  const keyFile = get('ZT_TLS_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) throw new ConfigError('set both ZT_TLS_CERT and ZT_TLS_KEY, or neither');
  const scheme = certFile ? 'https' : 'http';
  const urlHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const publicUrl = url('ZT_PUBLIC_URL', get('ZT_PUBLIC_URL') ?? `${scheme}://${urlHost}:${port}`);
  const secrets = dataDirSecrets(dataDir);
  const store = get('ZT_STORE') ?? `sqlite:${join(dataDir, 'zerotouch.db')}`;
  if (!/^(memory:|sqlite:|postgres:\/\/|postgresql:\/\/|esdb:\/\/|esdb\+discover:\/\/)/.test(store)) {
    throw new ConfigError(`ZT_STORE must be memory:, sqlite:<file>, postgres://… or esdb://…, got ${JSON.stringify(store)}`);
  }
  const redirectorUrl = get('ZT_REDIRECTOR_URL');
  const serverSecretText = get('ZT_SERVER_SECRET') ?? secrets.serverSecret;
  const serverSecret = Buffer.from(serverSecretText, 'base64');
  if (serverSecret.length < 32) throw new ConfigError('ZT_SERVER_SECRET must be at least 32 bytes, base64');

  return {
    host,
    port,
    publicUrl,
    dataDir,
    store,
    adminToken: get('ZT_ADMIN_TOKEN') ?? secrets.adminToken,
    operatorToken: get('ZT_OPERATOR_TOKEN') ?? secrets.operatorToken,
    redirectorUrl: redirectorUrl === undefined ? undefined : url('ZT_REDIRECTOR_URL', redirectorUrl),
    redirectorApiKey: get('ZT_REDIRECTOR_API_KEY'),
    usersDomain: get('ZT_USERS_DOMAIN') ?? 'example.com',
    usersAppPassword: get('ZT_USERS_APP_PASSWORD'),
    devicesUrl: url('ZT_DEVICES_URL', get('ZT_DEVICES_URL') ?? publicUrl),
    tls: certFile && keyFile ? { certFile, keyFile } : undefined,
    serverSecret,
    logLevel: get('ZT_LOG_LEVEL') ?? 'info',
    trustProxy: get('ZT_TRUST_PROXY') === 'true',
    projectionThread: onOff('ZT_PROJECTION_THREAD', get('ZT_PROJECTION_THREAD'), true),
    shutdownTimeoutSeconds: int('ZT_SHUTDOWN_TIMEOUT_SECONDS', get('ZT_SHUTDOWN_TIMEOUT_SECONDS'), 30, 1, 3_600),
    pollSeconds: int('ZT_POLL_SECONDS', get('ZT_POLL_SECONDS'), 300, 1, 86_400),
    codeTtlDays: 7,
    rateLimits: {
      // the domain's limits (SPEC §2) unless set
      perMac: {
        burst: int('ZT_RATE_MAC_BURST', get('ZT_RATE_MAC_BURST'), MAC_THROTTLE.burst, 1, 1_000_000),
        refillMs: int('ZT_RATE_MAC_REFILL_MS', get('ZT_RATE_MAC_REFILL_MS'), MAC_THROTTLE.intervalMs, 1, 86_400_000),
      },
      perIp: {
        burst: int('ZT_RATE_IP_BURST', get('ZT_RATE_IP_BURST'), IP_THROTTLE.burst, 1, 1_000_000),
        refillMs: int('ZT_RATE_IP_REFILL_MS', get('ZT_RATE_IP_REFILL_MS'), IP_THROTTLE.intervalMs, 1, 86_400_000),
      },
    },
    inputLimits: {
      // below 8 the protocols' own messages would not fit; above 1,000 recursive code near the stack's limit
      maxJsonDepth: int('ZT_JSON_MAX_DEPTH', get('ZT_JSON_MAX_DEPTH'), DEFAULT_INPUT_LIMITS.maxJsonDepth, 8, 1_000),
      wsLoginTimeoutMs: int('ZT_WS_LOGIN_TIMEOUT_MS', get('ZT_WS_LOGIN_TIMEOUT_MS'), DEFAULT_INPUT_LIMITS.wsLoginTimeoutMs, 100, 600_000),
      wsMessageBurst: int('ZT_WS_MESSAGE_BURST', get('ZT_WS_MESSAGE_BURST'), DEFAULT_INPUT_LIMITS.wsMessageBurst, 1, 10_000_000),
      wsMessagesPerSecond: int('ZT_WS_MESSAGES_PER_SECOND', get('ZT_WS_MESSAGES_PER_SECOND'), DEFAULT_INPUT_LIMITS.wsMessagesPerSecond, 1, 10_000_000),
      wsConnectionsPerIp: int('ZT_WS_CONNECTIONS_PER_IP', get('ZT_WS_CONNECTIONS_PER_IP'), DEFAULT_INPUT_LIMITS.wsConnectionsPerIp, 1, 1_000_000),
    },
  };
}
