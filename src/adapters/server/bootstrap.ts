/**
 * First-run set-up of a server, idempotent and the same on every node of one database:
 * - the fingerprint of ZT_SERVER_SECRET (a keyed hash under it, never the secret) is
 *   recorded in the store on first set-up; a node whose secret gives another fingerprint
 *   refuses to start before it writes anything;
 * - with the Redirector and Devices in one process and no ZT_REDIRECTOR_URL, Devices is
 *   registered as an installation of its own Redirector under a key derived from the
 *   server secret, so every node knows it without a file; no key is rotated at start
 *   (a key kept in the data dir by an older version is replaced once, and says so);
 * - `--demo` (SPEC §9): domain example.com with categories office (enabled) and lab
 *   (disabled), users alice, bob, carol with Profile tokens, the phone app `phone`, an
 *   update job for office, config jobs sip and time — all through the public admin APIs.
 *   Its Devices app password is derived from the server secret too.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { Refusal } from '../../application/refusal';
import { authenticateInstallation } from '../../application/redirector/authenticate-installation';
import { installationForDevicesUrl, registerInstallation, rotateApiKey } from '../../application/redirector/register-installation';
import { derivedApiKey } from '../../application/redirector/secrets';
import type { Clock } from '../../application/ports/clock';
import type { EventStore } from '../../application/ports/event-store';
import type { Random } from '../../application/ports/random';
import type { Secrets } from '../../application/ports/secrets';
import type { SetupRecord } from '../../application/ports/setup-record';
import { storeSecret, storedSecret, type Config } from '../config';
import { CryptoSecrets } from '../system/secrets';

/** where older versions kept the key in the data dir */
const DATA_KEY = 'redirectorApiKey';
const FINGERPRINT_KEY = 'server-secret-fingerprint';

export class ServerSecretMismatch extends Error {
  override readonly name = 'ServerSecretMismatch';
}

/** A keyed hash under the server secret: equal for equal secrets, and tells nothing of the secret. */
export const serverSecretFingerprint = (secrets: Secrets): string => secrets.keyedHash('server secret fingerprint', 'zerotouch');

/**
 * Compare this node's server secret with the one the store was set up with (recording it
 * on first set-up). Throws, having written nothing, when they differ.
 */
export async function checkServerSecret(setup: SetupRecord, secrets: Secrets): Promise<'recorded' | 'matches'> {
  const mine = serverSecretFingerprint(secrets);
  const mismatch = (): ServerSecretMismatch =>
    new ServerSecretMismatch(
      'ZT_SERVER_SECRET differs from the one this store was set up with (their fingerprints differ): ' +
        'every node of one database needs the same ZT_SERVER_SECRET. This node started nothing and wrote nothing.',
    );
  const recorded = await setup.get(FINGERPRINT_KEY);
  if (recorded !== undefined) {
    if (recorded !== mine) throw mismatch();
    return 'matches';
  }
  if ((await setup.claim(FINGERPRINT_KEY, mine)) !== mine) throw mismatch(); // another node set it up at the same moment
  return 'recorded';
}

/** The API key Devices uses at its own Redirector: derived from the server secret, registered on first start. */
export async function ownInstallationKey(
  deps: { events: EventStore; clock: Clock; random: Random; secrets: Secrets; logger?: Pick<Logger, 'warn'> },
  config: Config,
): Promise<string> {
  const derive = (id: Parameters<typeof derivedApiKey>[1]): string => derivedApiKey(deps.secrets, id);
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await installationForDevicesUrl(deps, config.publicUrl);
    if (existing) {
      const key = derive(existing);
      if (await authenticateInstallation(deps, key)) return key;
      const kept = storedSecret(config.dataDir, DATA_KEY);
      if (kept && (await authenticateInstallation(deps, kept))) {
        // a key made at random by an older version, known only to this data dir: replaced
        // once by the derived key, which every node of this database can then use
        const rotated = await rotateApiKey(deps, existing, derive).catch((error: unknown) => {
          throw error instanceof Refusal ? new Error(`cannot replace this Devices' key at its own Redirector: ${error.detail}`) : error;
        });
        storeSecret(config.dataDir, DATA_KEY, '');
        deps.logger?.warn({ installationId: existing }, "this Devices' key at its own Redirector is now derived from ZT_SERVER_SECRET (it replaced the key kept in the data dir)");
        return rotated.apiKey;
      }
      throw new Error(
        `this Devices (${config.publicUrl}) is registered at its own Redirector (installation ${existing}) with a key this node cannot derive ` +
          'from ZT_SERVER_SECRET; it was not rotated. Set ZT_REDIRECTOR_API_KEY to that key, or rotate it with the operator API and set the new one.',
      );
    }
    try {
      return (await registerInstallation(deps, { name: `Devices at ${config.publicUrl}`, devicesUrl: config.publicUrl }, derive)).apiKey;
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      // another node registered it at the same moment: read it again
      if (error.code !== 'conflict') throw new Error(`cannot register this Devices with its own Redirector: ${error.detail}`);
    }
  }
  throw new Error('cannot register this Devices with its own Redirector: the registration kept conflicting');
}

/**
 * The demo domain's Devices app password: ZT_USERS_APP_PASSWORD, else one kept in the data
 * dir by an older version, else derived from the server secret (the same on every node).
 */
export function demoAppPassword(config: Config): string {
  if (config.usersAppPassword) return config.usersAppPassword;
  const kept = storedSecret(config.dataDir, 'demoAppPassword');
  if (kept) return kept;
  return Buffer.from(new CryptoSecrets(config.serverSecret).keyedHash('demo devices app password', 'example.com'), 'hex').toString('base64url');
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
