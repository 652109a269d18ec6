/**
 * First-run set-up of a server, idempotent:
 * - with the Redirector and Devices in one process and no ZT_REDIRECTOR_URL, Devices is
 *   registered as an installation of its own Redirector and its API key kept in the data
 *   dir (a lost or stale key is rotated);
 * - `--demo` (SPEC §9): domain example.com with categories office (enabled) and lab
 *   (disabled), users alice, bob, carol with Profile tokens, the phone app `phone`, an
 *   update job for office, config jobs sip and time — all through the public admin APIs.
 */
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/Either';
import type { FastifyInstance } from 'fastify';
import { authenticateInstallation } from '../../application/redirector/authenticate-installation';
import { installationForDevicesUrl, registerInstallation, rotateApiKey } from '../../application/redirector/register-installation';
import type { Clock } from '../../application/ports/clock';
import type { EventStore } from '../../application/ports/event-store';
import type { Random } from '../../application/ports/random';
import type { Secrets } from '../../application/ports/secrets';
import { newToken, rememberSecret, storeSecret, storedSecret, type Config } from '../config';

const DATA_KEY = 'redirectorApiKey';

/** The API key Devices uses at its own Redirector: remembered and still valid, or made anew. */
export async function ownInstallationKey(
  deps: { events: EventStore; clock: Clock; random: Random; secrets: Secrets },
  config: Config,
): Promise<string> {
  const remembered = storedSecret(config.dataDir, DATA_KEY);
  if (remembered && (await authenticateInstallation(deps, remembered))) return remembered;
  const existing = await installationForDevicesUrl(deps, config.publicUrl);
  if (existing) {
    // registered before, but the key was lost with the data dir: a new key replaces it
    const rotated = await rotateApiKey(deps, existing);
    if (E.isLeft(rotated)) throw new Error(`cannot renew this Devices' key at its own Redirector: ${rotated.left.detail}`);
    return storeSecret(config.dataDir, DATA_KEY, rotated.right.apiKey);
  }
  const registered = await registerInstallation(deps, { name: `Devices at ${config.publicUrl}`, devicesUrl: config.publicUrl });
  if (E.isLeft(registered)) throw new Error(`cannot register this Devices with its own Redirector: ${registered.left.detail}`);
  return storeSecret(config.dataDir, DATA_KEY, registered.right.apiKey);
}

/** The demo domain's Devices app password, kept in the data dir. */
export function demoAppPassword(config: Config): string {
  return config.usersAppPassword ?? rememberSecret(config.dataDir, 'demoAppPassword', newToken);
}

export const DEMO = {
  domain: 'example.com',
  categories: [
    { id: 'office', name: 'Office phones', provisioning: true },
    { id: 'lab', name: 'Lab phones', provisioning: false },
  ],
  users: [
    { id: 'alice', name: 'Alice Adams', email: 'alice@example.com' },
    { id: 'bob', name: 'Bob Brown', email: 'bob@example.com' },
    { id: 'carol', name: 'Carol Clarke', email: 'carol@example.com' },
  ],
  phoneApp: { id: 'phone', name: 'Phone' },
  firmware: { version: '13r1 sr2', bootcode: '13r1 sr2' },
  models: ['IP101', 'IP102', 'IP111', 'IP112', 'IP200A', 'IP222', 'IP232', 'IP240', 'IP241'],
} as const;

export interface DemoResult {
  /** Profile tokens of the demo users */
  readonly userTokens: Readonly<Record<string, string>>;
}

/** Create the demo data through the server's own admin routes; what exists stays. */
export async function bootstrapDemo(
  app: FastifyInstance,
  config: Config,
  parts: ReadonlySet<string>,
  waitForReadModels: () => Promise<void>,
): Promise<DemoResult> {
  const auth = { authorization: `Bearer ${config.adminToken}` };
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown): Promise<{ status: number; body: unknown }> => {
    const res = await app.inject({ method, url, headers: auth, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    const ok = res.statusCode < 300 || res.statusCode === 409;
    if (!ok) throw new Error(`demo set-up: ${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as unknown) : undefined };
  };
  const userTokens: Record<string, string> = {};

  if (parts.has('devices')) {
    await call('POST', '/devices/v1/admin/domains', { name: DEMO.domain, appPassword: demoAppPassword(config) });
    for (const c of DEMO.categories) await call('POST', `/devices/v1/admin/domains/${DEMO.domain}/categories`, c);
    await waitForReadModels();
    const q = `domain=${DEMO.domain}`;
    const updateJobs = (await call('GET', `/devices/v1/admin/update-jobs?${q}&category=office`)).body as unknown[];
    if (updateJobs.length === 0) {
      const files = Object.fromEntries(
        DEMO.models.map((model) => [
          model,
          {
            url: `https://firmware.example.com/13r1sr2/${model.toLowerCase()}.bin`,
            sha256: createHash('sha256').update(`${model} ${DEMO.firmware.version}`).digest('hex'),
          },
        ]),
      );
      await call('POST', '/devices/v1/admin/update-jobs', { domain: DEMO.domain, category: 'office', firmware: { ...DEMO.firmware, files } });
    }
    const configJobs = (await call('GET', `/devices/v1/admin/config-jobs?${q}`)).body as Array<{ type?: string }>;
    const types = new Set(configJobs.map((j) => j.type));
    if (!types.has('sip')) {
      await call('POST', '/devices/v1/admin/config-jobs', {
        domain: DEMO.domain,
        category: 'office',
        type: 'sip',
        params: { registrar: 'pbx.example.com', transport: 'tls', port: 5061 },
      });
    }
    if (!types.has('time')) {
      await call('POST', '/devices/v1/admin/config-jobs', {
        domain: DEMO.domain,
        category: '*',
        type: 'time',
        params: { ntp: ['0.pool.ntp.org', '1.pool.ntp.org'], timezone: 'Europe/Berlin' },
      });
    }
  }

  if (parts.has('users')) {
    for (const u of DEMO.users) await call('POST', '/users/v1/admin/users', u);
    await call('POST', '/users/v1/admin/phone-apps', DEMO.phoneApp);
    for (const u of DEMO.users) {
      const kept = storedSecret(config.dataDir, `demoToken:${u.id}`);
      if (kept) userTokens[u.id] = kept;
      else {
        const issued = (await call('POST', `/users/v1/admin/users/${u.id}/tokens`)).body as { token: string };
        userTokens[u.id] = storeSecret(config.dataDir, `demoToken:${u.id}`, issued.token);
      }
    }
  }
  return { userTokens };
}
