/**
 * The first message of Profile and UsersAdmin: `{mt:"Login", token}` answered by
 * `{mt:"LoginResult", ok}`. A refused login is answered `ok:false` and the connection
 * closes (4003).
 */
import * as t from 'io-ts';
import { WsError, type MessageHandler, type SessionContext } from '../ws/json-session';
import type { DevicesConnectionStatus } from '../../application/users/devices-port';

const LoginMessage = t.type({ mt: t.literal('Login'), token: t.string, src: t.unknown });
type LoginMessage = t.TypeOf<typeof LoginMessage>;

export interface LoginState<Principal> {
  principal: Principal | undefined;
}

export function loginHandler<Principal>(options: {
  readonly authenticate: (token: string) => Promise<Principal | undefined>;
  /** the session is in: register it for pushes, answer extra LoginResult fields */
  readonly loggedIn: (principal: Principal, context: SessionContext<LoginState<Principal>>) => Record<string, unknown>;
  readonly devices: () => DevicesConnectionStatus;
}): MessageHandler<LoginState<Principal>, LoginMessage> {
  return {
    codec: LoginMessage,
    beforeLogin: true,
    async handle(message, context) {
      if (context.state.principal !== undefined) throw new WsError('conflict', 'this session is logged in already');
      const principal = await options.authenticate(message.token);
      if (principal === undefined) {
        context.send({ mt: 'LoginResult', ...(message.src !== undefined ? { src: message.src } : {}), ok: false, error: { code: 'unauthorized', detail: 'the token is not valid' } });
        context.close(4003, 'login failed');
        return undefined;
      }
      context.state.principal = principal;
      return { ok: true, ...options.loggedIn(principal, context), devices: options.devices() };
    },
  };
}

/** The principal of a logged-in session (the session kit lets no other message through before login). */
export function principalOf<Principal>(context: SessionContext<LoginState<Principal>>): Principal {
  const principal = context.state.principal;
  if (principal === undefined) throw new WsError('unauthorized', 'log in first');
  return principal;
}
