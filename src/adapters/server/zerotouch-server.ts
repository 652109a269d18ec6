/**
 * The composition root of a server: configuration → store → parts → projections →
 * one HTTP(S) port with every part's routes and WebSocket endpoints.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { systemClock, type Clock } from '../../application/ports/clock';
import type { Random } from '../../application/ports/random';
import { ProjectionRunner, type ProjectionService } from '../../application/projections/runner';
import type { Config, PartName } from '../config';
import { ClientLog } from '../http/client-log';
import { MetricsRegistry } from '../http/metrics';
import { createHttpServer, type Readiness } from '../http/server';
import { cryptoRandom } from '../system/random';
import { CryptoSecrets } from '../system/secrets';
import { pagesFor, webRoutes } from '../web/routes';
import { attachWebSocketEndpoints, type WebSocketEndpoint } from '../ws/endpoints';
import type { Part, PartContext, PartFactory } from './part';
import { bootstrapDemo, checkServerSecret, demoAppPassword, ownInstallationKey, type DemoResult } from './bootstrap';
import { ProjectionThread } from './projection-thread';
import { openStorage, type Storage } from './storage';

export interface ServerOptions {
  readonly config: Config;
  readonly parts: readonly PartName[];
  readonly factories: Readonly<Partial<Record<PartName, PartFactory>>>;
  /** an already open storage (tests); default: the one ZT_STORE names */
  readonly storage?: Storage;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly logger?: Logger;
  /** how far (in global positions) read models may trail before /readyz says no */
  readonly readinessTolerance?: number;
  /** create the demo data of SPEC §9 on listen (idempotent) */
  readonly demo?: boolean;
  /**
   * run the projections in a worker thread of their own where the store allows it (SQLite
   * files: projection-thread.ts); default: in this event loop
   */
  readonly projectionThread?: boolean;
}

export interface ZerotouchServer {
  readonly app: FastifyInstance;
  readonly context: PartContext;
  readonly parts: readonly Part[];
  readonly runner: ProjectionService;
  readonly storage: Storage;
  /** listen, then start the parts' background work; resolves with the URL */
  listen(): Promise<string>;
  /** what the demo set-up made (after listen with `demo`) */
  demo: DemoResult | undefined;
  /**
   * stop taking requests, stop the parts, finish appends, close the store; `onStage` hears
   * each step as it begins (a shutdown that does not finish can say where it stands)
   */
  close(onStage?: (stage: string) => void): Promise<void>;
}

export async function createZerotouchServer(options: ServerOptions): Promise<ZerotouchServer> {
  const logger = options.logger ?? pino({ level: options.config.logLevel, base: { service: 'zerotouch' } });
  const storage = options.storage ?? (await openStorage(options.config.store, options.config.dataDir));
  try {
    return await compose(options, logger, storage);
  } catch (error) {
    // nothing started: the store's connections must not keep the process alive
    if (!options.storage) await storage.close().catch(() => undefined);
    throw error;
  }
}

async function compose(options: ServerOptions, logger: Logger, storage: Storage): Promise<ZerotouchServer> {
  const metrics = new MetricsRegistry();
  const ports = {
    events: storage.events,
    clock: options.clock ?? systemClock,
    random: options.random ?? cryptoRandom,
    secrets: new CryptoSecrets(options.config.serverSecret),
  };
  // before anything is written: every node of one store has the same server secret
  if ((await checkServerSecret(storage.setup, ports.secrets)) === 'recorded') logger.info('recorded the fingerprint of the server secret in the store');
  const colocated = new Set(options.parts);
  let config = options.config;
  if (colocated.has('redirector') && colocated.has('devices') && !config.redirectorUrl && !config.redirectorApiKey) {
    // Devices speaks HTTP to its own Redirector, as an installation of it
    config = { ...config, redirectorApiKey: await ownInstallationKey({ ...ports, logger }, config) };
  }
  if (options.demo && colocated.has('users') && !config.usersAppPassword) config = { ...config, usersAppPassword: demoAppPassword(config) };
  let runner: ProjectionService | undefined;
  const context: PartContext = {
    config,
    ...ports,
    readModels: storage.readModels,
    metrics,
    logger,
    projections: {
      caughtUp: (o) => (runner ? runner.caughtUp(o) : Promise.resolve()),
    },
    storage,
    colocated,
  };

  const parts: Part[] = [];
  for (const name of options.parts) {
    const factory = options.factories[name];
    if (!factory) throw new Error(`part ${name} is not available in this build`);
    parts.push(await factory(context));
  }
  const projections = parts.flatMap((p) => p.projections);
  runner =
    options.projectionThread && storage.files
      ? new ProjectionThread({ files: storage.files, projections, events: storage.events, logger })
      : new ProjectionRunner(storage.events, storage.readModels, projections, {
          logger: { info: (o, m) => logger.info(o, m), warn: (o, m) => logger.warn(o, m) },
          // on a shared store each projection runs on the node holding its lease; the others read its checkpoint
          // and its checkpoint is written often (50 ms), even past skipped events: the other nodes'
          // read-your-writes read it, and scan the log only from it
          ...(storage.leases.shared ? { lease: (name: string) => storage.leases.hold(`projection:${name}`), checkpointEveryMs: 50 } : {}),
        });
  const activeRunner = runner;

  let lastStatus: Awaited<ReturnType<ProjectionRunner['status']>> = [];
  metrics.gauge('zt_projection_behind', 'global positions between a projection checkpoint and the head of the log (as of the last /readyz)', () =>
    lastStatus.map((s) => ({ labels: { projection: s.name }, value: s.behind })), ['projection']);

  const readiness = async (): Promise<Readiness> => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    const storeOk = await storage.events.ping().catch(() => false);
    checks['store'] = storeOk ? { ok: true } : { ok: false, detail: `${storage.events.kind} store not reachable` };
    if (storeOk) {
      lastStatus = await activeRunner.status();
      const tolerance = options.readinessTolerance ?? 1000;
      const behind = lastStatus.filter((s) => s.behind > tolerance);
      checks['projections'] = behind.length === 0 ? { ok: true } : { ok: false, detail: `behind: ${behind.map((s) => `${s.name} (${s.behind})`).join(', ')}` };
    }
    for (const part of parts) Object.assign(checks, (await part.readiness?.()) ?? {});
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  };

  // refused hostile input and failed requests: at most one line per client and minute
  const clientLog = new ClientLog(logger, metrics);
  const limits = config.inputLimits;
  const app = await createHttpServer({
    logger,
    metrics,
    readiness,
    clientLog,
    maxJsonDepth: limits.maxJsonDepth,
    trustProxy: config.trustProxy,
    tls: config.tls ? { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) } : undefined,
    title: `zerotouch (${options.parts.join(', ')})`,
  });
  for (const part of parts) await part.routes(app);
  const pages = pagesFor(colocated);
  if (pages.length > 0) await app.register(webRoutes({ pages }));
  const endpoints = new Map<string, WebSocketEndpoint>();
  for (const part of parts) for (const [path, endpoint] of part.websockets ?? []) endpoints.set(path, endpoint);
  if (endpoints.size > 0) {
    attachWebSocketEndpoints(app, endpoints, {
      limits: { loginTimeoutMs: limits.wsLoginTimeoutMs, messageBurst: limits.wsMessageBurst, messagesPerSecond: limits.wsMessagesPerSecond, maxJsonDepth: limits.maxJsonDepth },
      connectionsPerIp: limits.wsConnectionsPerIp,
      trustProxy: config.trustProxy,
      log: clientLog,
    });
  }

  let started = false;
  const server: ZerotouchServer = {
    app,
    context,
    parts,
    runner: activeRunner,
    storage,
    demo: undefined,
    async listen() {
      await activeRunner.start();
      if (options.demo) {
        server.demo = await bootstrapDemo(app, config, colocated, () => activeRunner.caughtUp({ timeoutMs: 30_000 }));
      }
      await app.listen({ host: config.host, port: config.port });
      for (const part of parts) await part.start?.();
      started = true;
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      return `${config.tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    },
    async close(onStage = () => undefined) {
      if (started) {
        for (const part of [...parts].reverse()) {
          onStage(`stopping the ${part.name} part`);
          await part.stop?.().catch((error: unknown) => logger.warn({ err: error, part: part.name }, 'part did not stop cleanly'));
        }
      }
      onStage('closing the HTTP server (requests under way, WebSocket connections)');
      await app.close();
      onStage('stopping the projections');
      await activeRunner.stop();
      onStage('closing the store (queued appends, connections)');
      await storage.close();
    },
  };
  return server;
}
