/**
 * What the Redirector benchmark measures, each in its own process so the load generator
 * has the other core: `redirector` (the part alone, on the SQLite file of ZT_STORE, with
 * the rate limits of the environment) or `bare` (a bare fastify route answering the same
 * JSON). Prints `READY <url>` once it listens; stops on SIGTERM.
 */
import Fastify from 'fastify';
import pino from 'pino';
import { loadConfig } from '../../src/adapters/config';
import { PART_FACTORIES } from '../../src/adapters/server/factories';
import { createZerotouchServer } from '../../src/adapters/server/zerotouch-server';

async function main(kind: string | undefined): Promise<() => Promise<void>> {
  if (kind === 'bare') {
    const app = Fastify({ logger: false });
    app.post('/phone/redeem', async () => ({ devicesUrl: 'https://devices.example.com' }));
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    process.stdout.write(`READY ${url}\n`);
    return () => app.close();
  }
  if (kind === 'redirector') {
    const config = loadConfig(process.env);
    const server = await createZerotouchServer({ config, parts: ['redirector'], factories: PART_FACTORIES, logger: pino({ level: 'warn' }) });
    const url = await server.listen();
    process.stdout.write(`READY ${url}\n`);
    return () => server.close();
  }
  throw new Error('target takes redirector or bare');
}

main(process.argv[2]).then(
  (close) => process.once('SIGTERM', () => void close().then(() => process.exit(0))),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
