/**
 * The apps WebSocket (SPEC §5.2), `/devices/v1/apps`, used by Users: a challenge, an HMAC
 * login per domain (key: the domain's app password, compared in constant time), then
 * `GetCategories`, `GetProvisioningCode` and the `PhoneProvisioned` pushes with their
 * acknowledgements. Malformed or unknown messages get an error result and the connection
 * stays up; a client that does not log in in time is closed; heartbeats drop dead peers.
 */
import { createHmac, randomBytes } from 'node:crypto';
import * as t from 'io-ts';
import type { Logger } from 'pino';
import type { DevicesDeps } from '../../application/devices/deps';
import { appPasswordOf, provisioningCategoriesOf } from '../../application/devices/domains';
import { acknowledgeNotice } from '../../application/devices/notices';
import type { OutboxDispatcher, PushReceiver } from '../../application/devices/outbox-dispatcher';
import { requestProvisioningCode, requestProvisioningCodes } from '../../application/devices/provisioning-code';
import type { DomainName } from '../../domain';
import { constantTimeEqual } from '../system/secrets';
import type { WebSocketEndpoint } from '../ws/endpoints';
import { serveJsonSession, WsError, type MessageHandler, type SessionContext } from '../ws/json-session';
import { CategoryInput, DomainInput, IdInput } from './codecs';
import type { DevicesMetrics } from './metrics';

export const APPS_PATH = '/devices/v1/apps';

export interface AppsSocketOptions {
  readonly loginTimeoutMs?: number;
  readonly heartbeatMs?: number;
}

interface AppSession {
  domain: DomainName | undefined;
  receiver: PushReceiver | undefined;
}

/** the HMAC of SPEC §5.2: hex HMAC-SHA256, key the app password, message the challenge */
export const loginDigest = (appPassword: string, challenge: string): string => createHmac('sha256', appPassword).update(challenge).digest('hex');

/** a key to spend the same time on for a domain that does not exist */
const NO_DOMAIN_KEY = randomBytes(32).toString('hex');

export const appsEndpoint = (
  deps: DevicesDeps,
  dispatcher: OutboxDispatcher,
  metrics: DevicesMetrics,
  logger: Logger,
  options: AppsSocketOptions = {},
): WebSocketEndpoint => {
  const domainOf = (ctx: SessionContext<AppSession>): DomainName => {
    if (ctx.state.domain === undefined) throw new WsError('unauthorized', 'log in first');
    return ctx.state.domain;
  };

  return (socket, _request, connection) => {
    const challenge = randomBytes(32).toString('hex');
    const state: AppSession = { domain: undefined, receiver: undefined };

    const Login: MessageHandler<AppSession, { mt: 'Login'; src: unknown; app: 'users'; domain: DomainName; digest: string }> = {
      beforeLogin: true,
      codec: t.type({ mt: t.literal('Login'), src: t.unknown, app: t.literal('users'), domain: DomainInput, digest: t.string }),
      handle: async (message, ctx) => {
        if (ctx.state.domain !== undefined) throw new WsError('conflict', `already logged in for ${ctx.state.domain}`);
        const src = message.src === undefined ? {} : { src: message.src };
        const password = await appPasswordOf(deps, message.domain);
        const expected = loginDigest(password ?? NO_DOMAIN_KEY, challenge);
        if (!constantTimeEqual(message.digest.toLowerCase(), expected) || password === undefined) {
          ctx.send({ mt: 'LoginResult', ...src, ok: false, error: { code: 'unauthorized', detail: 'unknown domain or wrong digest' } });
          ctx.close(4003, 'login failed');
          return undefined;
        }
        ctx.state.domain = message.domain;
        ctx.send({ mt: 'LoginResult', ...src, ok: true });
        const receiver: PushReceiver = {
          domain: message.domain,
          push: (push) => {
            if (socket.readyState !== socket.OPEN) return false;
            // the acknowledgement it asks for does not count against the connection's message budget
            ctx.push({ ...push });
            metrics.pushesSent.inc();
            return true;
          },
        };
        ctx.state.receiver = receiver;
        dispatcher.attach(receiver);
        return undefined;
      },
    };

    const GetCategories: MessageHandler<AppSession, { mt: 'GetCategories' }> = {
      codec: t.type({ mt: t.literal('GetCategories') }),
      handle: async (_message, ctx) => ({
        categories: (await provisioningCategoriesOf(deps, domainOf(ctx))).map((c) => ({ id: c.id, name: c.name })),
      }),
    };

    // both wait on the Redirector: the connection's other messages are handled meanwhile
    const GetProvisioningCode: MessageHandler<AppSession, { mt: 'GetProvisioningCode'; category: t.TypeOf<typeof CategoryInput> }> = {
      concurrent: true,
      codec: t.type({ mt: t.literal('GetProvisioningCode'), category: CategoryInput }),
      handle: async (message, ctx) => {
        const issued = await requestProvisioningCode(deps, domainOf(ctx), message.category);
        return { code: issued.code, expiresAt: issued.expiresAt };
      },
    };

    const GetProvisioningCodes: MessageHandler<AppSession, { mt: 'GetProvisioningCodes'; category: t.TypeOf<typeof CategoryInput>; count: t.Int }> = {
      concurrent: true,
      codec: t.type({ mt: t.literal('GetProvisioningCodes'), category: CategoryInput, count: t.Int }),
      handle: async (message, ctx) => {
        const issued = await requestProvisioningCodes(deps, domainOf(ctx), message.category, message.count);
        return { codes: issued.map((c) => ({ code: c.code, expiresAt: c.expiresAt })) };
      },
    };

    const PhoneProvisionedAck: MessageHandler<AppSession, { mt: 'PhoneProvisionedAck'; id: t.TypeOf<typeof IdInput> }> = {
      codec: t.type({ mt: t.literal('PhoneProvisionedAck'), id: IdInput }),
      handle: async (message, ctx) => {
        const first = await acknowledgeNotice(deps, domainOf(ctx), message.id).catch((error: unknown) => {
          metrics.pushesAcknowledged.inc({ result: 'refused' });
          throw error;
        });
        metrics.pushesAcknowledged.inc({ result: first ? 'recorded' : 'repeated' });
        return { id: message.id, ok: true };
      },
    };

    serveJsonSession(socket, {
      state,
      connection,
      loggedIn: (s) => s.domain !== undefined,
      greeting: { mt: 'Challenge', challenge },
      loginTimeoutMs: options.loginTimeoutMs,
      heartbeatMs: options.heartbeatMs,
      logger,
      messages: { Login, GetCategories, GetProvisioningCode, GetProvisioningCodes, PhoneProvisionedAck },
      onClose: (s) => {
        if (s.receiver) dispatcher.detach(s.receiver);
      },
    });
  };
};
