/**
 * `npm run bench:devices`: `phone/checkin` under autocannon on 127.0.0.1 against Devices
 * alone on a temp SQLite file, seeded once with 10 jobs and 10,000 phones and once with
 * 100,000 jobs and 100,000 phones, and, in the same run, a bare fastify route; rounds of
 * each take turns. Each target runs in its own process; this one only generates load. The
 * same 10,000 distinct phones are measured in both stores, one after the other request by
 * request: each runs an older firmware, so every check-in is offered the latest matching
 * job (and, that offer being recorded at warm-up, writes nothing). The bare route gets the
 * same requests. Writes the section `devices` of docs/benchmarks.md.
 */
import autocannon, { type Result } from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tempDir } from '../../test/support/temp-dir';
import { machine, table, today, writeBenchSection } from '../report';
import { CHECKIN, type Credential } from './seed';

const CONNECTIONS = 50;
const DURATION_S = 8;
const MEASURED = 10_000;
/** jobs and phones in each store (at least the measured phones) */
const SIZES = [
  { jobs: 10, phones: MEASURED },
  { jobs: 100_000, phones: 100_000 },
] as const;

const tsx = join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'cli.mjs');
const targetScript = join(import.meta.dirname, 'target.ts');

interface Target {
  readonly url: string;
  readonly credentials: readonly Credential[];
  stop(): Promise<void>;
}

function startTarget(kind: 'devices' | 'bare', env: Record<string, string> = {}): Promise<Target> {
  const child: ChildProcess = spawn(process.execPath, [tsx, targetScript, kind], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      const ready = /READY (\{.*\})\n/.exec(out)?.[1];
      if (ready) {
        child.removeAllListeners('exit');
        const { url, credentials } = JSON.parse(ready) as { url: string; credentials: Credential[] };
        resolve({
          url,
          credentials,
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}

/** check-ins for `duration` seconds, request after request the next of the phones (on every connection) */
function load(target: Target, credentials: readonly Credential[], duration: number): Promise<Result> {
  const authorizations = credentials.map((c) => `Device ${c.deviceId}:${c.deviceSecret}`);
  let next = 0;
  return autocannon({
    url: target.url,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: 'POST',
        path: '/devices/v1/phone/checkin',
        body: JSON.stringify(CHECKIN),
        setupRequest: (request) => ({
          ...request,
          headers: { 'content-type': 'application/json', authorization: authorizations[next++ % authorizations.length]! },
        }),
      },
    ],
  });
}

const ROUNDS = 5;

interface Scenario {
  readonly name: string;
  readonly target: Target;
  /** seconds from start to measurable (seeding and catching up, for Devices) */
  readonly readySeconds: number | undefined;
  readonly rounds: Result[];
}

const reqPerSecond = (r: Result): number => r.requests.total / r.duration;
const statuses = (r: Result): string =>
  Object.entries(r.statusCodeStats as Record<string, { count: number }>)
    .map(([status, { count }]) => `${status}: ${count.toLocaleString('en')}`)
    .join(', ');
/** the round with the median throughput */
const median = (rounds: readonly Result[]): Result => [...rounds].sort((a, b) => reqPerSecond(a) - reqPerSecond(b))[Math.floor(rounds.length / 2)]!;
const medianOf = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
/** the median over the rounds of one scenario's throughput against another's in the same round */
const ratio = (a: Scenario, b: Scenario): number => medianOf(a.rounds.map((r, i) => reqPerSecond(r) / reqPerSecond(b.rounds[i]!)));

async function prepare(name: string, kind: 'devices' | 'bare', env: Record<string, string> = {}): Promise<Scenario> {
  const started = Date.now();
  const target = await startTarget(kind, env);
  return { name, target, readySeconds: kind === 'devices' ? (Date.now() - started) / 1000 : undefined, rounds: [] };
}

function devicesEnv(size: (typeof SIZES)[number], dir: string): Record<string, string> {
  return {
    ZT_HOST: '127.0.0.1',
    ZT_PORT: '0',
    ZT_DATA_DIR: dir,
    ZT_STORE: `sqlite:${dir}/zerotouch.db`,
    ZT_LOG_LEVEL: 'warn',
    BENCH_DEVICES: String(size.phones),
    BENCH_JOBS: String(size.jobs),
    BENCH_MEASURED: String(MEASURED),
  };
}

async function main(): Promise<void> {
  const dirs = SIZES.map(() => tempDir('zt-bench-devices-'));
  const scenarios = await Promise.all([
    prepare('bare fastify route', 'bare'),
    ...SIZES.map((size, i) => prepare(`check-in, ${size.jobs.toLocaleString('en')} jobs and ${size.phones.toLocaleString('en')} phones in the store`, 'devices', devicesEnv(size, dirs[i]!.path))),
  ]);
  try {
    // rounds side by side, so that drifting load on a shared machine hits every scenario alike;
    // the two stores swap places every other round
    for (let round = 0; round < ROUNDS; round++) {
      const [bareScenario, ...stores] = scenarios;
      // the bare route gets the requests of the first store's phones: the same headers, the same work for the load generator
      const credentials = stores[0]!.target.credentials;
      for (const scenario of [bareScenario!, ...(round % 2 === 0 ? stores : [...stores].reverse())]) {
        const ofScenario = scenario === bareScenario ? credentials : scenario.target.credentials;
        await load(scenario.target, ofScenario, 2);
        const result = await load(scenario.target, ofScenario, DURATION_S);
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${scenario.name}: ${statuses(result)}; ${result.errors} errors`);
        scenario.rounds.push(result);
        process.stderr.write(`round ${round + 1}, ${scenario.name}: ${Math.round(reqPerSecond(result))} req/s, p99 ${result.latency.p99} ms\n`);
      }
    }
  } finally {
    await Promise.all(scenarios.map((s) => s.target.stop()));
    for (const dir of dirs) dir.remove();
  }

  const [bareScenario, small, large] = scenarios as [Scenario, Scenario, Scenario];
  const rate = (s: Scenario): number => reqPerSecond(median(s.rounds));
  const flat = ratio(large, small);
  const ofBare = ratio(large, bareScenario);
  const lines = scenarios.map((s) => {
    const m = median(s.rounds);
    return [
      s.name,
      Math.round(rate(s)).toLocaleString('en'),
      s.rounds.map((r) => Math.round(reqPerSecond(r)).toLocaleString('en')).join(' / '),
      m.latency.p50.toFixed(1),
      m.latency.p99.toFixed(1),
      s === bareScenario ? '—' : `${Math.round(100 * ratio(s, bareScenario))} %`,
      s.readySeconds === undefined ? '—' : `${Math.round(s.readySeconds)} s`,
      statuses(m),
    ];
  });
  const markdown = `## Devices: phone/checkin

${machine()}; ${today()}. autocannon 9 on 127.0.0.1, ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s per
scenario (each after a 2 s warm-up), the scenarios taking turns within each round (the two
stores swapping places every other round) so that the load of the shared machine falls on
all of them alike. The table shows the median round
(p50 and p99 of that round) and every round's throughput; ratios are the median over the
rounds of the ratio within a round. Devices runs alone (the \`serve --only devices\`
composition) on a temp SQLite file in its own process, the bare fastify route in another;
the load generator has the other core.

Each store is seeded through the event store (phones and jobs as the deciders decide them,
appended in concurrent batches; domains and categories through the handlers) and measured
once its read models have caught up: one domain per 1,000 phones with ten categories each;
jobs in pairs of an update job and a config job over every category and \`*\`, domain after
domain, round after round (four config types). The same ${MEASURED.toLocaleString('en')} distinct phones check in in both
stores, one after the other request by request over the ${CONNECTIONS} connections, each with its device
credential (the bare route gets the same requests); each runs an older firmware, so every
answer offers the latest matching update job (the offer was recorded when the store was
seeded, each phone checking in once: the measured check-ins write nothing). A check-in
folds the phone's stream (its last event and any after it: the folded state is kept in
memory), and reads the head update job of its category and of \`*\` and the config merged
for its category or for \`*\` (kept in memory until a job event reaches the job read
models): O(1) lookups, whatever the number of jobs and phones.

${table(['scenario', 'req/s (median)', 'req/s per round', 'p50 ms', 'p99 ms', 'of bare', 'seed + catch-up', 'statuses (median round)'], lines)}

- flat cost: 100,000 jobs and phones against 10 jobs and ${MEASURED.toLocaleString('en')} phones: ${flat.toFixed(2)} (goal ≥ 0.9: ${flat >= 0.9 ? 'met' : 'missed'})
- against a bare fastify route: ${Math.round(100 * ofBare)} % with 100,000, ${Math.round(100 * ratio(small, bareScenario))} % with 10 jobs (goal ≥ 50 %: ${ofBare >= 0.5 ? 'met' : 'missed'})
`;
  writeBenchSection('devices', markdown);
  process.stdout.write(markdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
