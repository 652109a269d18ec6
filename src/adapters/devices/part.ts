/**
 * The Devices part (SPEC §5): the phone protocol, the admin HTTP API and the apps
 * WebSocket on the shared port, its projections, and what runs beside them: the outbox
 * dispatcher, the writer of "last seen" times, the judge of staged update waves, the
 * purge of expired codes, the sweeper of the guess throttle. It speaks HTTP to a Redirector (`ZT_REDIRECTOR_URL`, else
 * this process's own URL) with `ZT_REDIRECTOR_API_KEY`, alone or beside the other parts.
 */
import { purgeExpiredCodes } from '../../application/devices/code-purge';
import type { DevicesDeps } from '../../application/devices/deps';
import { GuessThrottle } from '../../application/guess-throttle';
import { followJobChanges, OfferCache, offerInputs } from '../../application/devices/offer-cache';
import { OutboxDispatcher } from '../../application/devices/outbox-dispatcher';
import { outboxSize } from '../../application/devices/outbox-queries';
import { Presence } from '../../application/devices/presence';
import { devicesProjections } from '../../application/devices/projections';
import { judgeRunningWaves } from '../../application/devices/waves';
import { BackgroundWork } from '../server/background';
import type { Subscription } from '../../application/ports/event-store';
import type { Part, PartContext } from '../server/part';
import { adminDeviceRoutes } from './admin-device-routes';
import { adminDomainAdminRoutes } from './admin-domain-admin-routes';
import { adminDomainRoutes } from './admin-domain-routes';
import { adminJobRoutes } from './admin-job-routes';
import { APPS_PATH, appsEndpoint, type AppsSocketOptions } from './apps-socket';
import { devicesMetrics } from './metrics';
import { phoneRoutes } from './phone-routes';
import { HttpRedirectorClient, type RedirectorClientOptions } from './redirector-client';

export interface DevicesPartOptions extends AppsSocketOptions {
  /** how often "last seen" times are written (default 5 s) */
  readonly presenceFlushMs?: number;
  /** how often staged waves are judged (default 30 s) */
  readonly waveIntervalMs?: number;
  /** how long a wave stays open before it is judged (default two poll intervals) */
  readonly waveSoakMs?: number;
  /** how often expired codes are purged (default a minute) */
  readonly purgeIntervalMs?: number;
  /** how often the outbox looks for notices without a wake-up (default 1 s) */
  readonly outboxPollMs?: number;
  readonly redirector?: Pick<RedirectorClientOptions, 'timeoutMs' | 'retries' | 'backoffMs'>;
}

export const createDevicesPart = async (context: PartContext, options: DevicesPartOptions = {}): Promise<Part> => {
  const { config, logger } = context;
  // the presence table and the throttle's buckets come with the storage (shared where it is)
  const presence = new Presence(context.storage.presence);
  const redirector = new HttpRedirectorClient({
    baseUrl: config.redirectorUrl ?? config.publicUrl,
    // read at every call: the composition may register this installation after start
    apiKey: () => context.config.redirectorApiKey,
    ...options.redirector,
  });
  const deps: DevicesDeps = {
    events: context.events,
    readModels: context.readModels,
    clock: context.clock,
    random: context.random,
    secrets: context.secrets,
    projections: context.projections,
    redirector,
    presence,
    offers: new OfferCache((domain, category) => offerInputs(context.readModels, domain, category), () => performance.now()),
    settings: { pollSeconds: config.pollSeconds, publicUrl: config.publicUrl },
  };
  const { perIp, perMac } = config.rateLimits;
  const throttle = new GuessThrottle(context.clock, {
    policies: { perIp: { burst: perIp.burst, intervalMs: perIp.refillMs }, perMac: { burst: perMac.burst, intervalMs: perMac.refillMs } },
    store: context.storage.throttle,
    namespace: 'devices',
  });
  const dispatcher = new OutboxDispatcher({
    events: context.events,
    readModels: context.readModels,
    projections: context.projections,
    pollIntervalMs: options.outboxPollMs,
    leases: context.storage.leases,
    onError: (error) => logger.warn({ err: error }, 'outbox delivery failed; retrying'),
  });
  let waitingNotices = 0;
  const metrics = devicesMetrics(context.metrics, {
    outboxSize: () => waitingNotices,
    appSessions: () => dispatcher.receivers,
    presenceUnwritten: () => presence.unwritten,
  });
  redirector.onCall = (operation, outcome) => metrics.redirectorCalls.inc({ operation, outcome });

  const background = new BackgroundWork(logger, context.storage.leases);
  const every = background.every.bind(background);
  const soakMs = options.waveSoakMs ?? 2 * config.pollSeconds * 1000;
  let jobChanges: Subscription | undefined;

  return {
    name: 'devices',
    projections: devicesProjections,
    async routes(app) {
      await app.register(phoneRoutes(deps, throttle, metrics), { prefix: '/devices/v1/phone' });
      await app.register(adminDomainRoutes(deps, config.adminToken), { prefix: '/devices/v1/admin' });
      await app.register(adminJobRoutes(deps, config.adminToken, metrics), { prefix: '/devices/v1/admin' });
      await app.register(adminDeviceRoutes(deps, config.adminToken), { prefix: '/devices/v1/admin' });
      await app.register(adminDomainAdminRoutes(deps, config.adminToken), { prefix: '/devices/v1/admin' });
    },
    websockets: new Map([[APPS_PATH, appsEndpoint(deps, dispatcher, metrics, logger, options)]]),
    async start() {
      jobChanges = await followJobChanges(context.events, context.projections, deps.offers);
      dispatcher.start();
      every(options.presenceFlushMs ?? 5_000, () => presence.flush(), 'writing last-seen times');
      every(60_000, () => throttle.sweep(), 'sweeping the guess throttle', { lease: 'devices:throttle-sweep' });
      every(10_000, async () => (waitingNotices = await outboxSize(deps)), 'counting the outbox');
      const purge = async (): Promise<void> => {
        const purged = await purgeExpiredCodes(deps);
        if (purged.codes > 0 || purged.phones > 0) logger.info(purged, 'purged expired codes');
      };
      // at start too: a server started after a pause purges what expired meanwhile
      every(options.purgeIntervalMs ?? 60_000, purge, 'purging expired codes', { now: true, lease: 'devices:code-purge' });
      every(
        options.waveIntervalMs ?? 30_000,
        async () => {
          const judged = await judgeRunningWaves(deps, soakMs, (jobId, error) => logger.warn({ err: error, jobId }, 'judging a wave failed'));
          for (const judgement of judged) metrics.waveJudgements.inc({ outcome: judgement.outcome });
        },
        'judging update waves',
        { lease: 'devices:waves' },
      );
    },
    async stop() {
      await background.stop();
      await dispatcher.stop();
      await jobChanges?.close();
      await presence.flush().catch((error: unknown) => logger.warn({ err: error }, 'last-seen times were not written'));
      await redirector.close();
    },
    banner() {
      return [
        `  devices      ${config.publicUrl}/devices/v1/phone (phones), ${config.publicUrl}/devices/v1/admin (admin), ${config.publicUrl.replace(/^http/, 'ws')}${APPS_PATH} (Users)`,
        `  redirector   ${redirector.baseUrl} (${config.redirectorApiKey ? 'API key set' : 'no API key yet: codes cannot be issued'})`,
      ];
    },
  };
};
