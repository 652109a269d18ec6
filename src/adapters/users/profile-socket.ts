/**
 * Profile WebSocket (`/users/v1/profile`, SPEC §6), logged in with a user's token:
 * GetCategories, AddPhone, GetPhones of this user only, and the push PhoneRegistered.
 */
import * as t from 'io-ts';
import { addPhone } from '../../application/users/add-phone';
import type { UserView } from '../../application/users/create-user';
import { userByToken } from '../../application/users/directory-queries';
import { userPhones } from '../../application/users/phone-queries';
import type { UsersDeps } from '../../application/users/users-deps';
import type { WebSocketEndpoint } from '../ws/endpoints';
import type { SessionLogger } from '../ws/json-session';
import { principalOf, serveAppSession } from './app-session';
import type { UsersSessions } from './sessions';

export const PROFILE_PATH = '/users/v1/profile';

export function profileEndpoint(deps: UsersDeps, sessions: UsersSessions, logger?: SessionLogger): WebSocketEndpoint {
  return (socket, _request, connection) =>
    serveAppSession<UserView>(socket, connection, {
      authenticate: (token) => userByToken(deps, token),
      welcome: (user) => ({ user: { id: user.id, name: user.name } }),
      register: (user, session) => sessions.addProfile(user.id, session),
      unregister: (user, session) => sessions.removeProfile(user.id, session),
      devices: () => deps.devices.status(),
      logger,
      messages: {
        GetCategories: {
          codec: t.type({ mt: t.literal('GetCategories') }),
          handle: async () => ({ categories: await deps.devices.getCategories() }),
        },
        AddPhone: {
          codec: t.type({ mt: t.literal('AddPhone'), category: t.string }),
          handle: async (message, context) => ({ ...(await addPhone(deps, principalOf(context).id, message.category)) }),
        },
        GetPhones: {
          codec: t.type({ mt: t.literal('GetPhones') }),
          handle: async (_message, context) => ({ ...(await userPhones(deps, principalOf(context).id)) }),
        },
      },
    });
}
