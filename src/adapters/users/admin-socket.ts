/**
 * UsersAdmin WebSocket (`/users/v1/admin`, SPEC §6), logged in with the admin token:
 * "Register phones" in four steps — GetCategories and GetPhoneApps, GetUsers,
 * StartRollout, GetRollout (and ReissueCode for an expired entry) — with the push
 * RolloutEntryUpdated as phones come up; GetRollouts lists the past rollouts to reopen.
 */
import * as t from 'io-ts';
import { listPhoneApps, listUsers } from '../../application/users/directory-queries';
import { reissueCode } from '../../application/users/reissue-code';
import { getRollout, listRollouts, MAX_ROLLOUT_PAGE } from '../../application/users/rollout-queries';
import { startRollout } from '../../application/users/start-rollout';
import type { UsersDeps } from '../../application/users/users-deps';
import { constantTimeEqual } from '../system/secrets';
import type { WebSocketEndpoint } from '../ws/endpoints';
import { WsError, type SessionLogger } from '../ws/json-session';
import { serveAppSession } from './app-session';
import { PageLimit, RolloutCursor } from './page';
import type { UsersSessions } from './sessions';

export const ADMIN_PATH = '/users/v1/admin';

/** StartRollout may list up to 10,000 user ids */
const MAX_ADMIN_MESSAGE = 1024 * 1024;

export function adminEndpoint(deps: UsersDeps, sessions: UsersSessions, adminToken: string, logger?: SessionLogger): WebSocketEndpoint {
  return (socket, _request, connection) =>
    serveAppSession<'admin'>(socket, connection, {
      authenticate: async (token) => (constantTimeEqual(token, adminToken) ? 'admin' : undefined),
      welcome: () => ({}),
      register: (_admin, session) => sessions.addAdmin(session),
      unregister: (_admin, session) => sessions.removeAdmin(session),
      devices: () => deps.devices.status(),
      logger,
      maxMessageBytes: MAX_ADMIN_MESSAGE,
      messages: {
        GetUsers: {
          codec: t.type({ mt: t.literal('GetUsers'), after: t.union([t.string, t.undefined]), limit: t.union([PageLimit, t.undefined]) }),
          handle: async (message) => ({ users: await listUsers(deps.readModels, { after: message.after, limit: message.limit }) }),
        },
        GetCategories: {
          codec: t.type({ mt: t.literal('GetCategories') }),
          handle: async () => ({ categories: await deps.devices.getCategories() }),
        },
        GetPhoneApps: {
          codec: t.type({ mt: t.literal('GetPhoneApps') }),
          handle: async () => ({ phoneApps: await listPhoneApps(deps.readModels) }),
        },
        StartRollout: {
          codec: t.type({ mt: t.literal('StartRollout'), category: t.string, phoneApp: t.string, users: t.array(t.string) }),
          handle: async (message) => ({ ...(await startRollout(deps, message)) }),
        },
        GetRollouts: {
          codec: t.type({ mt: t.literal('GetRollouts'), limit: t.union([PageLimit, t.undefined]), cursor: t.union([RolloutCursor, t.undefined]) }),
          handle: async (message) => {
            if (message.limit !== undefined && message.limit > MAX_ROLLOUT_PAGE) throw new WsError('validation-failed', `limit: at most ${MAX_ROLLOUT_PAGE} rollouts a page`);
            return { ...(await listRollouts(deps, { ...(message.limit !== undefined ? { limit: message.limit } : {}), ...(message.cursor !== undefined ? { cursor: message.cursor } : {}) })) };
          },
        },
        GetRollout: {
          codec: t.type({ mt: t.literal('GetRollout'), rolloutId: t.string }),
          handle: async (message) => {
            const rollout = await getRollout(deps, message.rolloutId);
            if (rollout === undefined) throw new WsError('not-found', 'no such rollout');
            return { ...rollout };
          },
        },
        ReissueCode: {
          codec: t.type({ mt: t.literal('ReissueCode'), rolloutId: t.string, user: t.string }),
          handle: async (message) => ({ ...(await reissueCode(deps, message)) }),
        },
      },
    });
}
