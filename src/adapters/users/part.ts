/**
 * The Users part (SPEC §6): the directory of one domain (`config.usersDomain`), the admin
 * HTTP API, the Profile and UsersAdmin WebSockets, and the client of Devices' apps
 * WebSocket whose `PhoneProvisioned` notices turn phones into devices of their users, and
 * the purge of the personal data tied to expired codes (at start, then every minute).
 */
import type { Subscription } from '../../application/ports/event-store';
import { usersProjections } from '../../application/users/projections';
import { purgeExpiredPersonalData } from '../../application/users/purge';
import { receivePhoneNotices } from '../../application/users/receive-notices';
import { followRegistrations } from '../../application/users/registration-feed';
import { settle, type UsersDeps } from '../../application/users/users-deps';
import { BackgroundWork } from '../server/background';
import type { Part, PartContext } from '../server/part';
import { ADMIN_PREFIX, adminRoutes } from './admin-routes';
import { ADMIN_PATH, adminEndpoint } from './admin-socket';
import { DevicesWsClient } from './devices-client';
import { PROFILE_PATH, profileEndpoint } from './profile-socket';
import { UsersSessions } from './sessions';

/** How long a write waits for Users' read models before it answers anyway. */

export interface UsersPartOptions {
  /** how often the personal data of expired codes is purged (default a minute) */
  readonly purgeIntervalMs?: number;
}

export const createUsersPart = (context: PartContext, options: UsersPartOptions = {}): Part => {
  const { config, logger, metrics } = context;
  const log = logger.child({ part: 'users' });
  const badMessages = metrics.counter('zt_users_devices_bad_messages_total', 'messages from Devices that Users could not read (PhoneProvisioned ones stay unacknowledged)');
  const devices = new DevicesWsClient({
    devicesUrl: config.devicesUrl,
    domain: config.usersDomain,
    appPassword: config.usersAppPassword,
    logger: log,
    onBadMessage: () => badMessages.inc(),
  });
  metrics.gauge('zt_users_devices_connected', '1 while Users is logged in to Devices', () => (devices.status().connected ? 1 : 0));
  const notices = metrics.counter('zt_users_phone_notices_total', 'PhoneProvisioned notices recorded, by outcome (registered, already-registered, unassigned)', ['outcome']);
  const unassigned = metrics.counter('zt_users_unassigned_phones_total', 'PhoneProvisioned notices kept as unassigned phones, by reason', ['reason']);

  const deps: UsersDeps = {
    events: context.events,
    readModels: context.readModels,
    clock: context.clock,
    random: context.random,
    secrets: context.secrets,
    devices,
    projections: {
      caughtUp: (options) =>
        context.projections.caughtUp(options).catch((error: unknown) => {
          log.warn({ err: error, position: options?.position }, 'read models are behind; answering anyway');
          throw error;
        }),
    },
  };

  receivePhoneNotices(deps, devices, (notice, outcome) => {
    notices.inc({ outcome: outcome.kind });
    if (outcome.kind === 'unassigned') {
      unassigned.inc({ reason: outcome.reason });
      log.warn({ noticeId: notice.noticeId, mac: notice.mac, reason: outcome.reason }, 'a provisioned phone is kept as unassigned (GET /users/v1/admin/unassigned-phones)');
    } else if (outcome.rolloutProblem !== null) {
      log.warn({ noticeId: notice.noticeId, mac: notice.mac, problem: outcome.rolloutProblem }, 'the phone is registered with its user, but its rollout entry was not updated');
    }
  });

  const sessions = new UsersSessions();
  let feed: Subscription | undefined;
  const background = new BackgroundWork(log, context.storage.leases);
  const purge = async (): Promise<void> => {
    const purged = await purgeExpiredPersonalData({ ...deps, projections: context.projections });
    if (purged.streams > 0) log.info(purged, 'purged the personal data of expired codes');
  };

  return {
    name: 'users',
    projections: usersProjections,
    async routes(app) {
      await app.register(adminRoutes(deps, config.adminToken));
    },
    websockets: new Map([
      [PROFILE_PATH, profileEndpoint(deps, sessions, log)],
      [ADMIN_PATH, adminEndpoint(deps, sessions, config.adminToken, log)],
    ]),
    async start() {
      feed = await followRegistrations(context.events, sessions, (written) => settle(deps, written));
      devices.start();
      background.every(options.purgeIntervalMs ?? 60_000, purge, 'purging the personal data of expired codes', { now: true, lease: 'users:personal-purge' });
    },
    async stop() {
      await background.stop();
      await devices.stop();
      await feed?.close();
    },
    banner: () => [
      `  users        ${config.publicUrl}${ADMIN_PREFIX} (HTTP), ${config.publicUrl.replace(/^http/, 'ws')}${PROFILE_PATH} and ${ADMIN_PATH} (WebSocket)`,
      `  users domain ${config.usersDomain}; Devices: ${devices.status().detail}`,
    ],
    async readiness() {
      const status = devices.status();
      // without an app password Users runs its directory only, as configured: ready, and saying so
      return { 'users-devices': { ok: status.connected || config.usersAppPassword === undefined, detail: status.detail } };
    },
  };
};
