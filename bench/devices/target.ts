/**
 * What the Devices benchmark measures, each in its own process so the load generator has
 * the other core: `devices` (the part alone on the SQLite file of ZT_STORE, seeded with
 * BENCH_DEVICES phones and BENCH_JOBS jobs, its read models caught up, each measured phone
 * checked in once) or `bare` (a bare fastify route answering the same JSON). Prints
 * `READY <json>` ({url, credentials}) once it listens; stops on SIGTERM.
 */
import Fastify from 'fastify';
import pino from 'pino';
import { loadConfig } from '../../src/adapters/config';
import { PART_FACTORIES } from '../../src/adapters/server/factories';
import { createZerotouchServer } from '../../src/adapters/server/zerotouch-server';
import { CHECKIN, seed, type Credential } from './seed';

const BARE_ANSWER = {
  firmware: { jobId: 'job-0', version: 'fw 0', url: 'https://fw.example.com/0/ip112.bin', sha256: 'a'.repeat(64), bootcode: 'boot 0' },
  config: null,
  pollSeconds: 300,
};

const log = (line: string): void => {
  process.stderr.write(`  ${line}\n`);
};

async function main(kind: string | undefined): Promise<() => Promise<void>> {
  if (kind === 'bare') {
    const app = Fastify({ logger: false });
    app.post('/devices/v1/phone/checkin', async () => BARE_ANSWER);
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    process.stdout.write(`READY ${JSON.stringify({ url, credentials: [] })}\n`);
    return () => app.close();
  }
  if (kind === 'devices') {
    const config = loadConfig(process.env);
    const server = await createZerotouchServer({ config, parts: ['devices'], factories: PART_FACTORIES, logger: pino({ level: 'warn' }) });
    const url = await server.listen();
    const counts = { devices: Number(process.env['BENCH_DEVICES']), jobs: Number(process.env['BENCH_JOBS']), measured: Number(process.env['BENCH_MEASURED']) };
    const started = Date.now();
    const credentials: Credential[] = await seed(server.context, counts, log);
    const progress = setInterval(() => {
      void server.runner.status().then((status) => log(`read models: ${status.map((s) => `${s.name} ${s.behind}`).join(', ')} behind`));
    }, 5000);
    await server.runner.caughtUp();
    clearInterval(progress);
    log(`seeded and projected in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    for (const credential of credentials) {
      const res = await fetch(`${url}/devices/v1/phone/checkin`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Device ${credential.deviceId}:${credential.deviceSecret}` },
        body: JSON.stringify(CHECKIN),
      });
      const answer = (await res.json()) as { firmware: unknown };
      if (res.status !== 200 || answer.firmware === null) throw new Error(`warm-up check-in answered ${res.status} ${JSON.stringify(answer)}`);
    }
    process.stdout.write(`READY ${JSON.stringify({ url, credentials })}\n`);
    return () => server.close();
  }
  throw new Error('target takes devices or bare');
}

main(process.argv[2]).then(
  (close) => process.once('SIGTERM', () => void close().then(() => process.exit(0))),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
