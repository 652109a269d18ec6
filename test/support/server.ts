/**
 * A real zerotouch server for tests: the parts asked for, on a temp data dir, on
 * 127.0.0.1 port 0, with a SQLite file (default), a fresh PostgreSQL database or memory.
 */
import type { Clock } from '../../src/application/ports/clock';
import { loadConfig, type Config, type PartName } from '../../src/adapters/config';
import { PART_FACTORIES } from '../../src/adapters/server/factories';
import type { PartFactory } from '../../src/adapters/server/part';
import { createZerotouchServer, type ZerotouchServer } from '../../src/adapters/server/zerotouch-server';
import pino from 'pino';
import { createTestDatabase } from './postgres';
import { tempDir } from './temp-dir';

export interface TestServerOptions {
  readonly parts?: readonly PartName[];
  readonly store?: 'sqlite' | 'postgres' | 'memory';
  /** reuse a store URL (a second server on the same PostgreSQL database or SQLite file) */
  readonly storeUrl?: string;
  /** extra ZT_* settings */
  readonly env?: Record<string, string>;
  readonly clock?: Clock;
  readonly factories?: Partial<Record<PartName, PartFactory>>;
  /** keep this data dir (a restart of the same server) */
  readonly dataDir?: string;
  /** create the demo data of SPEC §9 (`serve --demo`); its user tokens are in `server.demo` */
  readonly demo?: boolean;
  /** the projections in a worker thread, as `serve` runs them on SQLite */
  readonly projectionThread?: boolean;
}

export interface TestServer {
  readonly server: ZerotouchServer;
  readonly config: Config;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** ws://127.0.0.1:<port> */
  readonly wsUrl: string;
  readonly storeUrl: string;
  readonly dataDir: string;
  /** close the server; `keepData` leaves the data dir and database for a restart */
  close(options?: { keepData?: boolean }): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = options.dataDir ? { path: options.dataDir, remove: () => undefined } : tempDir('zt-server-');
  let storeUrl = options.storeUrl;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (!storeUrl) {
    if (options.store === 'postgres') {
      const db = await createTestDatabase();
      storeUrl = db.url;
      dropDatabase = () => db.drop();
    } else if (options.store === 'memory') storeUrl = 'memory:';
    else storeUrl = `sqlite:${dir.path}/zerotouch.db`;
  }
  // the public URL must be known before listening: take a free port first
  const port = options.env?.['ZT_PORT'] ? Number(options.env['ZT_PORT']) : await freePort();
  const config = loadConfig({
    ZT_HOST: '127.0.0.1',
    ZT_PORT: String(port),
    ZT_DATA_DIR: dir.path,
    ZT_STORE: storeUrl,
    ZT_LOG_LEVEL: process.env['ZT_TEST_LOG_LEVEL'] ?? 'silent',
    ...options.env,
  });
  const server = await createZerotouchServer({
    config,
    parts: options.parts ?? ['redirector', 'devices', 'users'],
    factories: options.factories ?? PART_FACTORIES,
    clock: options.clock,
    logger: pino({ level: config.logLevel }),
    demo: options.demo,
    projectionThread: options.projectionThread,
  });
  const url = await server.listen();
  return {
    server,
    config,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    storeUrl,
    dataDir: dir.path,
    async close(o = {}) {
      await server.close();
      if (!o.keepData) {
        await dropDatabase?.();
        dir.remove();
      }
    },
  };
}

/** a TCP port free on 127.0.0.1 right now */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
