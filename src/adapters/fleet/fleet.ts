/**
 * The fleet load generator: the whole seed flow for N phones over the real protocols.
 * It creates N users (Users admin HTTP), runs one UsersAdmin rollout for them (one code
 * each), then brings every phone up — init, redeem, provision, firmware, config — with
 * bounded concurrency, until UsersAdmin shows it Registered.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'undici';
import { Rollout } from '../../domain';
import { JsonSocket, type Message } from './json-socket';
import { PhoneClient, PhoneProtocolError } from '../phone/phone-client';
import { MODELS, SimulatedPhone } from '../phone/simulated-phone';
import { randomLocalIp } from '../phone/state-file';

export interface FleetOptions {
  /** the zerotouch server (all parts): Users admin, UsersAdmin WebSocket, Redirector */
  readonly url: string;
  /** the Redirector phones use (default: url) */
  readonly redirectorUrl?: string;
  readonly adminToken: string;
  readonly phones: number;
  readonly concurrency?: number;
  readonly category?: string;
  readonly phoneApp?: string;
  /** users per rollout (default and at most a rollout's limit, 10,000) */
  readonly rolloutSize?: number;
  /** give up waiting for registrations after this long */
  readonly timeoutMs?: number;
  readonly onProgress?: (registered: number, total: number, phase: string) => void;
  /** told each rollout's id as soon as it exists (to resume it after an interruption) */
  readonly onRollout?: (rolloutId: string) => void;
  /** names the users (`fleet-<runId>-<n>`) and derives the phones' MACs (default: random) */
  readonly runId?: string;
  /**
   * finish an earlier run instead of starting one: read its rollouts (a run of more than
   * 10,000 phones has one per 10,000) and bring up the phones of the entries not yet
   * registered (the same run id gives the same MACs, so a phone that redeemed its code
   * before an interruption can redeem it again)
   */
  readonly resumeRolloutIds?: readonly string[];
}

export interface FleetSummary {
  readonly runId: string;
  readonly phones: number;
  readonly registered: number;
  readonly errors: Record<string, number>;
  /** milliseconds from a phone's start to its entry showing Registered */
  readonly timeToRegisteredMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  readonly phasesMs: { readonly users: number; readonly rollout: number; readonly phones: number; readonly total: number };
  /** phones registered per second over the phone phase */
  readonly throughput: number;
  /** the first of `rolloutIds` */
  readonly rolloutId: string | null;
  /** one rollout per `rolloutSize` phones (10,000: a rollout's limit), in the order of the users */
  readonly rolloutIds: readonly string[];
}

/** a locally administered MAC (02:…), never a real phone's, the same for the same run and user */
export function fleetMac(runId: string, user: string): string {
  return `02${createHash('sha256').update(`${runId}/${user}`).digest('hex').slice(0, 10)}`;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** answers after which a phone tries again: no server behind the balancer, or one that could not answer now */
const TRANSIENT_STATUSES = new Set([502, 503, 504]);
const PHONE_ATTEMPTS = 8;
/** a connection that failed, was cut or timed out */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const networkCode = (error: unknown): string => {
  const code = (e: unknown): unknown => (typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined);
  const own = code(error);
  const cause = typeof error === 'object' && error !== null ? code((error as { cause?: unknown }).cause) : undefined;
  return String(typeof own === 'string' && NETWORK_ERRORS.has(own) ? own : cause ?? own ?? '');
};

/**
 * A step of a phone, tried again as a real phone does when it found no server (the
 * connection failed or was cut) or the server could not answer (502, 503, 504): after
 * 0.25 s, 0.5 s, … at most 4 s, with jitter. Every step of the phone protocol may be repeated.
 */
export async function asPhonesRetry<T>(step: () => Promise<T>, attempts = PHONE_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const transient = error instanceof PhoneProtocolError ? TRANSIENT_STATUSES.has(error.status) : NETWORK_ERRORS.has(networkCode(error));
      if (!transient || attempt >= attempts) throw error;
      const delay = Math.min(4_000, 250 * 2 ** (attempt - 1));
      await new Promise((r) => setTimeout(r, delay / 2 + Math.random() * (delay / 2)));
    }
  }
}

/** CSV lines for the users import, in bodies under the 64 KiB limit */
function csvChunks(ids: readonly string[], limit = 60_000): string[] {
  const chunks: string[] = [];
  let current = 'id,name,email\r\n';
  for (const id of ids) {
    const line = `${id},Fleet ${id},${id}@fleet.invalid\r\n`;
    if (current.length + line.length > limit) {
      chunks.push(current);
      current = 'id,name,email\r\n';
    }
    current += line;
  }
  chunks.push(current);
  return chunks;
}

export async function runFleet(options: FleetOptions): Promise<FleetSummary> {
  const started = Date.now();
  const base = options.url.replace(/\/+$/, '');
  const runId = options.runId ?? randomBytes(3).toString('hex');
  const concurrency = Math.max(1, options.concurrency ?? 50);
  const errors: Record<string, number> = {};
  const fail = (kind: string): void => {
    errors[kind] = (errors[kind] ?? 0) + 1;
  };
  const agent = new Agent({ keepAliveTimeout: 30_000, connections: concurrency + 4 });
  const progress = options.onProgress ?? (() => undefined);

  // 1. users
  const userIds = Array.from({ length: options.phones }, (_, i) => `fleet-${runId}-${String(i).padStart(6, '0')}`);
  if (!options.resumeRolloutIds) {
    for (const [i, body] of csvChunks(userIds).entries()) {
      const res = await request(`${base}/users/v1/admin/users/import`, {
        method: 'POST',
        dispatcher: agent,
        headers: { authorization: `Bearer ${options.adminToken}`, 'content-type': 'text/csv' },
        body,
      });
      const answer = (await res.body.json()) as { created?: number; errors?: unknown[]; detail?: string };
      if (res.statusCode !== 200) throw new Error(`creating users failed (${res.statusCode}): ${answer.detail ?? JSON.stringify(answer)}`);
      progress(Math.min(userIds.length, (i + 1) * 1000), userIds.length, 'users');
    }
  }
  const usersDone = Date.now();

  // 2. the rollouts through UsersAdmin, one per `rolloutSize` users
  const admin = await JsonSocket.connect(`${base.replace(/^http/, 'ws')}/users/v1/admin`);
  const registeredAt = new Map<string, number>();
  const rolloutIds: string[] = [];
  const onRegistered = new Set<() => void>();
  admin.onMessage((m: Message) => {
    if (m.mt === 'RolloutEntryUpdated' && m['state'] === 'registered' && rolloutIds.includes(String(m['rolloutId'])) && typeof m['user'] === 'string') {
      if (!registeredAt.has(m['user'])) {
        registeredAt.set(m['user'], Date.now());
        progress(registeredAt.size, userIds.length, 'phones');
        for (const notify of onRegistered) notify();
      }
    }
  });
  try {
    const login = await admin.request({ mt: 'Login', token: options.adminToken });
    if (login['ok'] !== true) throw new Error('UsersAdmin login refused: check ZT_ADMIN_TOKEN');
    /** every entry of the run's rollouts, as UsersAdmin shows them now */
    const rolloutEntries = async (): Promise<Array<{ user: string; code: string; state: string }>> => {
      const all: Array<{ user: string; code: string; state: string }> = [];
      for (const rolloutId of rolloutIds) {
        const status = await admin.request({ mt: 'GetRollout', rolloutId }, 60_000);
        if (!Array.isArray(status['entries'])) throw new Error(`UsersAdmin did not show rollout ${rolloutId}: ${JSON.stringify(status).slice(0, 200)}`);
        all.push(...(status['entries'] as Array<{ user: string; code: string; state: string }>));
      }
      return all;
    };
    let entries: Array<{ user: string; code: string; state?: string }> = [];
    if (options.resumeRolloutIds) {
      rolloutIds.push(...options.resumeRolloutIds);
      const all = await rolloutEntries();
      for (const e of all) if (e.state === 'registered') registeredAt.set(e.user, Date.now());
      entries = all.filter((e) => e.state !== 'registered');
      userIds.splice(0, userIds.length, ...all.map((e) => e.user));
    } else {
      const categories = ((await admin.request({ mt: 'GetCategories' }))['categories'] ?? []) as Array<{ id: string }>;
      const category = options.category ?? categories[0]?.id;
      if (!category) throw new Error('no category is enabled for provisioning');
      if (!categories.some((c) => c.id === category)) throw new Error(`category ${category} is not enabled for provisioning (enabled: ${categories.map((c) => c.id).join(', ')})`);
      const apps = ((await admin.request({ mt: 'GetPhoneApps' }))['phoneApps'] ?? []) as Array<{ id: string }>;
      const phoneApp = options.phoneApp ?? apps[0]?.id;
      if (!phoneApp) throw new Error('no phone app is configured in Users');
      const size = Math.min(Rollout.MAX_ENTRIES, Math.max(1, options.rolloutSize ?? Rollout.MAX_ENTRIES));
      for (let from = 0; from < userIds.length; from += size) {
        progress(from, userIds.length, 'rollout');
        const users = userIds.slice(from, from + size);
        const rollout = await admin.request({ mt: 'StartRollout', category, phoneApp, users }, Math.max(60_000, users.length * 20));
        const rolloutId = String(rollout['rolloutId']);
        rolloutIds.push(rolloutId);
        options.onRollout?.(rolloutId);
        entries = entries.concat(rollout['entries'] as Array<{ user: string; code: string }>);
      }
    }
    const rolloutDone = Date.now();

    // 3. the phones
    const redirectorUrl = (options.redirectorUrl ?? base).replace(/\/+$/, '');
    const client = new PhoneClient(agent);
    const phoneStarted = new Map<string, number>();
    let next = 0;
    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= entries.length) return;
        const entry = entries[i]!;
        const mac = fleetMac(runId, entry.user);
        const phone = new SimulatedPhone(
          {
            mac,
            model: MODELS[i % MODELS.length]!,
            firmware: '13r1 sr1',
            bootcode: '13r1',
            localIp: randomLocalIp(),
            redirectorUrl,
            devicesUrl: null,
            credential: null,
            configRevision: null,
            settings: {},
          },
          client,
        );
        phoneStarted.set(entry.user, Date.now());
        try {
          const start = await asPhonesRetry(() => phone.start());
          if (start !== 'prompt-code') throw new PhoneProtocolError(0, 'unexpected-init', `phone/init answered ${start}`);
          await asPhonesRetry(() => phone.enterCode(entry.code));
          const outcomes = await asPhonesRetry(() => phone.converge(10));
          if (outcomes.some((o) => o.firmwareFailed)) fail('firmware-failed');
          else if (outcomes.some((o) => o.configFailed)) fail('config-failed');
          else if (!outcomes.at(-1)?.idle) fail('not-converged');
        } catch (error) {
          fail(error instanceof PhoneProtocolError ? `${error.status || 'client'}-${error.code}` : `error-${(error as Error).name}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));

    // 4. until UsersAdmin shows every phone Registered: its pushes, and GetRollout when they pause for 5 s
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    while (registeredAt.size < userIds.length && Date.now() < deadline) {
      const pushed = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => done(false), Math.min(5000, Math.max(0, deadline - Date.now())));
        function done(arrived: boolean): void {
          clearTimeout(timer);
          onRegistered.delete(notify);
          resolve(arrived);
        }
        const notify = (): void => done(true);
        onRegistered.add(notify);
      });
      if (!pushed && registeredAt.size < userIds.length) {
        for (const e of await rolloutEntries()) {
          if (e.state === 'registered' && !registeredAt.has(e.user)) registeredAt.set(e.user, Date.now());
        }
      }
    }
    const missing = userIds.length - registeredAt.size;
    if (missing > 0) errors['not-registered'] = missing;
    const phonesDone = Date.now();
    const durations = entries
      .filter((e) => registeredAt.has(e.user) && phoneStarted.has(e.user))
      .map((e) => registeredAt.get(e.user)! - phoneStarted.get(e.user)!)
      .sort((a, b) => a - b);
    return {
      runId,
      phones: userIds.length,
      registered: registeredAt.size,
      errors,
      timeToRegisteredMs: { p50: percentile(durations, 50), p95: percentile(durations, 95), p99: percentile(durations, 99), max: durations.at(-1) ?? 0 },
      phasesMs: { users: usersDone - started, rollout: rolloutDone - usersDone, phones: phonesDone - rolloutDone, total: phonesDone - started },
      throughput: registeredAt.size / Math.max(0.001, (phonesDone - rolloutDone) / 1000),
      rolloutId: rolloutIds[0] ?? null,
      rolloutIds,
    };
  } finally {
    admin.close();
    await agent.close();
  }
}
