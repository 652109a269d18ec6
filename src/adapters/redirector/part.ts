/**
 * The Redirector as a part of the server: its routes under /redirector/v1, its read
 * models, the throttle of wrong guesses (its buckets where the storage keeps them), and the scheduler that
 * purges codes once they are revoked or expired.
 */
import type { FastifyInstance } from 'fastify';
import { isDomainAdminToken } from '../../application/devices/domain-admins';
import type { RedirectorDeps } from '../../application/redirector/deps';
import { purgeExpiredCodes } from '../../application/redirector/purge-expired';
import { BackgroundWork } from '../server/background';
import { GuessThrottle } from '../../application/guess-throttle';
import { redirectorProjections } from '../../application/redirector/projections';
import type { Part, PartContext, PartFactory } from '../server/part';
import { installationRoutes } from './installation-routes';
import { countPurged, redirectorMetrics } from './metrics';
import { operatorRoutes } from './operator-routes';
import { phoneRoutes } from './phone-routes';
import type { RedirectorServices } from './services';

export const REDIRECTOR_PREFIX = '/redirector/v1';

/** the Redirector's routes as one fastify plugin, mounted under its prefix */
export async function redirectorPlugin(app: FastifyInstance, services: RedirectorServices): Promise<void> {
  await app.register(
    async (scope) => {
      operatorRoutes(scope, services);
      installationRoutes(scope, services);
      phoneRoutes(scope, services);
    },
    { prefix: REDIRECTOR_PREFIX },
  );
}

/** how often ended codes are looked for and purged */
const PURGE_INTERVAL_MS = 60_000;

export const createRedirectorPart: PartFactory = (context: PartContext): Part => {
  const deps: RedirectorDeps = context;
  const { perMac, perIp } = context.config.rateLimits;
  const throttle = new GuessThrottle(context.clock, {
    policies: { perMac: { burst: perMac.burst, intervalMs: perMac.refillMs }, perIp: { burst: perIp.burst, intervalMs: perIp.refillMs } },
    store: context.storage.throttle,
    namespace: 'redirector',
  });
  const metrics = redirectorMetrics(context.metrics, () => throttle.size);
  const logger = context.logger.child({ part: 'redirector' });
  // Devices' domain admins, where they share this store, are told 403 rather than 401 (SPEC §5.5)
  const services: RedirectorServices = { deps, throttle, metrics, operatorToken: context.config.operatorToken, logger, isDomainAdmin: isDomainAdminToken };
  const scheduler = new BackgroundWork(logger, context.storage.leases);
  const purgePass = async (): Promise<void> => {
    const result = await purgeExpiredCodes(deps);
    countPurged(metrics, result);
    const purged = result.purged.expired + result.purged.revoked;
    if (purged > 0 || result.deferred > 0) logger.info({ ...result.purged, deferred: result.deferred }, 'purged ended codes');
  };

  return {
    name: 'redirector',
    projections: redirectorProjections,
    routes: (app) => redirectorPlugin(app, services),
    async start() {
      scheduler.every(PURGE_INTERVAL_MS, purgePass, 'purge of expired codes', { now: true, lease: 'redirector:code-purge' });
    },
    stop: () => scheduler.stop(),
    banner: () => [`  redirector   ${context.config.publicUrl}${REDIRECTOR_PREFIX}  (operator: Bearer <operator token>)`],
  };
};
