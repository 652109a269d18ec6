/**
 * The Users part (SPEC §6): the directory of one domain (`config.usersDomain`), the admin
 * HTTP API, the Profile and UsersAdmin WebSockets, and the client of Devices' apps
 * WebSocket whose `PhoneProvisioned` notices turn phones into devices of their users.
 */
import type { Subscription } from '../../application/ports/event-store';
import { DIRECTORY, directoryProjection } from '../../application/users/projections/directory';
import { PHONES, phonesProjection } from '../../application/users/projections/phones';
import { ROLLOUTS, rolloutsProjection } from '../../application/users/projections/rollouts';
import { receivePhoneNotices } from '../../application/users/receive-notices';
import { followRegistrations } from '../../application/users/registration-feed';
import type { UsersDeps } from '../../application/users/users-deps';
import type { Part, PartFactory } from '../server/part';
import { ADMIN_PREFIX, adminRoutes } from './admin-routes';
import { ADMIN_PATH, adminEndpoint } from './admin-socket';
import { DevicesWsClient } from './devices-client';
import { PROFILE_PATH, profileEndpoint } from './profile-socket';
import { UsersSessions } from './sessions';

/** How long a write waits for Users' read models before it answers anyway. */
const SETTLE_TIMEOUT_MS = 5000;

export const createUsersPart: PartFactory = (context): Part => {
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
  metrics.gauge('zt_users_devices_connected', '1 while Users is logged in to Devices', () => [{ value: devices.status().connected ? 1 : 0 }]);
  const notices = metrics.counter('zt_users_phone_notices_total', 'PhoneProvisioned notices recorded, by outcome (registered, already-registered, unassigned)');
  const unassigned = metrics.counter('zt_users_unassigned_phones_total', 'PhoneProvisioned notices kept as unassigned phones, by reason');

  const projectionNames = [DIRECTORY, PHONES, ROLLOUTS];
  const deps: UsersDeps = {
    events: context.events,
    readModels: context.readModels,
    clock: context.clock,
    random: context.random,
    secrets: context.secrets,
    devices,
    settle: async (position) => {
      if (position === undefined) return;
      await Promise.all(projectionNames.map((name) => context.projections.caughtUp({ name, position, timeoutMs: SETTLE_TIMEOUT_MS }))).catch((error: unknown) =>
        log.warn({ err: error, position }, 'read models are behind; answering anyway'),
      );
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

  return {
    name: 'users',
    projections: [directoryProjection, phonesProjection, rolloutsProjection],
    async routes(app) {
      await app.register(adminRoutes(deps, config.adminToken));
    },
    websockets: new Map([
      [PROFILE_PATH, profileEndpoint(deps, sessions, log)],
      [ADMIN_PATH, adminEndpoint(deps, sessions, config.adminToken, log)],
    ]),
    async start() {
      feed = await followRegistrations(context.events, sessions, deps.settle);
      devices.start();
    },
    async stop() {
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
