/**
 * The session both apps share: it starts with the client's `{mt:"Login", token}` and the
 * server's `{mt:"LoginResult", ok}`. A refused login is answered `ok:false` and the
 * connection closes (4003). A logged-in session is registered for pushes until it closes.
 */
import * as t from 'io-ts';
import type { WebSocket } from 'ws';
import type { DevicesConnectionStatus } from '../../application/users/devices-port';
import { serveJsonSession, WsError, type MessageHandler, type SessionContext, type SessionLogger, type WsConnection } from '../ws/json-session';
import type { PushTarget } from './sessions';

const LoginMessage = t.type({ mt: t.literal('Login'), token: t.string, src: t.unknown });
type LoginMessage = t.TypeOf<typeof LoginMessage>;

export interface AppState<Principal> {
  principal: Principal | undefined;
}

export type AppContext<Principal> = SessionContext<AppState<Principal>>;

export interface AppSessionOptions<Principal> {
  readonly authenticate: (token: string) => Promise<Principal | undefined>;
  /** extra fields of a successful LoginResult */
  readonly welcome: (principal: Principal) => Record<string, unknown>;
  /** the session is in: push to it from now on */
  readonly register: (principal: Principal, session: PushTarget) => void;
  /** the session closed */
  readonly unregister: (principal: Principal, session: PushTarget) => void;
  readonly devices: () => DevicesConnectionStatus;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly messages: Readonly<Record<string, MessageHandler<AppState<Principal>, any>>>;
  readonly logger?: SessionLogger | undefined;
  readonly maxMessageBytes?: number;
}

function loginHandler<Principal>(options: AppSessionOptions<Principal>): MessageHandler<AppState<Principal>, LoginMessage> {
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
      options.register(principal, context);
      return { ok: true, ...options.welcome(principal), devices: options.devices() };
    },
  };
}

export function serveAppSession<Principal>(socket: WebSocket, connection: WsConnection, options: AppSessionOptions<Principal>): void {
  const session: AppContext<Principal> = serveJsonSession<AppState<Principal>>(socket, {
    state: { principal: undefined },
    connection,
    loggedIn: (s) => s.principal !== undefined,
    logger: options.logger,
    maxMessageBytes: options.maxMessageBytes,
    onClose: (s) => {
      if (s.principal !== undefined) options.unregister(s.principal, session);
    },
    messages: { ...options.messages, Login: loginHandler(options) },
  });
}

/** The principal of a logged-in session (the session kit lets no other message through before login). */
export function principalOf<Principal>(context: AppContext<Principal>): Principal {
  const principal = context.state.principal;
  if (principal === undefined) throw new WsError('unauthorized', 'log in first');
  return principal;
}
