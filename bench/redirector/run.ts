/**
 * `npm run bench:redirector`: phone/redeem under autocannon on 127.0.0.1, 50 connections,
 * against the Redirector alone on a temp SQLite file and, in the same run, a bare fastify
 * route. Each target runs in its own process; this one only generates load. Three rounds,
 * the scenarios taking turns in each, so the load of a shared machine falls on all alike.
 *
 * - first redeem: every request a fresh code (and MAC): reads the stream, appends `CodeRedeemed`;
 * - repeat redeem: codes already bound, the same MAC again: reads the stream, writes nothing;
 * - wrong codes, unthrottled: well-formed codes nobody issued, limits raised so all are answered 404;
 * - wrong codes, throttled: the default limits (per IP 100, then 1/s): after the first 100, 429.
 * All load comes from 127.0.0.1, so the valid-code runs raise the per-IP and per-MAC limits.
 * Writes the section `redirector` of docs/benchmarks.md.
 */
import autocannon, { type Result } from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { tempDir } from '../../test/support/temp-dir';
import { machine, table, today, writeBenchSection } from '../report';

const CONNECTIONS = 50;
const DURATION_S = 10;
const ROUNDS = 3;
/** fresh codes per round of the first-redeem scenario */
const FIRST_REDEEMS = 15_000;
const WARMUP_REDEEMS = 3_000;
const REPEAT_POOL = 2_000;

const targetScript = join(import.meta.dirname, 'target.ts');

interface Target {
  readonly url: string;
  stop(): Promise<void>;
}

function startTarget(kind: 'redirector' | 'bare', env: Record<string, string> = {}): Promise<Target> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', targetScript, kind], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code}`)));
    child.stdout!.on('data', (chunk) => {
      out += String(chunk);
      const url = /READY (\S+)/.exec(out)?.[1];
      if (url) {
        child.removeAllListeners('exit');
        resolve({
          url,
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

/**
 * A run's result and the seconds from its start to its last answer: autocannon notices that
 * a run of a fixed `amount` is done only on its next one-second tick, so its own duration
 * of such a run is rounded up to whole seconds.
 */
type Measured = Result & { readonly seconds: number };

const reqPerSecond = (r: Measured): number => r.requests.total / r.seconds;
const statuses = (r: Result): string =>
  Object.entries(r.statusCodeStats as Record<string, { count: number }>)
    .map(([status, { count }]) => `${status}: ${count}`)
    .join(', ');

const phone = (mac: string, code: string): string =>
  JSON.stringify({ code, mac, model: 'IP112', firmware: '13r1 sr2 [13.7150]', bootcode: '13r1 boot', localIp: '192.0.2.10' });
const macOf = (i: number): string => `0090${i.toString(16).padStart(8, '0')}`;

/** a run where each request's body comes from `next` (autocannon builds each request anew) */
function run(url: string, options: { amount?: number; duration?: number; next: () => string; connections?: number }): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let last = started;
    const instance = autocannon(
      {
        url,
        connections: options.connections ?? CONNECTIONS,
        ...(options.amount === undefined ? { duration: options.duration ?? DURATION_S } : { amount: options.amount }),
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (request) => ({ ...request, body: options.next() }),
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve({ ...result, seconds: (last - started) / 1000 })),
    );
    instance.on('response', () => {
      last = performance.now();
    });
  });
}

async function issueCodes(base: string, apiKey: string, count: number): Promise<string[]> {
  const codes: string[] = [];
  await autocannon({
    url: `${base}/redirector/v1/codes`,
    connections: CONNECTIONS,
    amount: count,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ devicesUrl: 'https://devices.example.com' }),
    requests: [
      {
        onResponse: (status, body) => {
          if (status === 201) codes.push((JSON.parse(body) as { code: string }).code);
        },
      },
    ],
  });
  if (codes.length !== count) throw new Error(`issued ${codes.length} of ${count} codes`);
  return codes;
}

interface Scenario {
  readonly name: string;
  readonly url: string;
  readonly options: { readonly amount?: number; readonly next: () => string };
}

interface RedirectorTarget extends Target {
  readonly redeemUrl: string;
  readonly remove: () => void;
}

async function startRedirector(limits: Record<string, string>): Promise<RedirectorTarget & { readonly operatorToken: string }> {
  const dir = tempDir('zt-bench-redirector-');
  const operatorToken = randomBytes(24).toString('base64url');
  const target = await startTarget('redirector', {
    ZT_HOST: '127.0.0.1',
    ZT_PORT: '0',
    ZT_DATA_DIR: dir.path,
    ZT_STORE: `sqlite:${dir.path}/zerotouch.db`,
    ZT_OPERATOR_TOKEN: operatorToken,
    ZT_LOG_LEVEL: 'warn',
    ...limits,
  });
  return { ...target, operatorToken, redeemUrl: `${target.url}/redirector/v1/phone/redeem`, remove: () => dir.remove() };
}

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const load = (): string => loadavg()[0]!.toFixed(1);

async function main(): Promise<void> {
  const loadBefore = load();
  const bare = await startTarget('bare');
  // valid codes and unthrottled wrong codes: limits raised, since all load comes from one address
  const open = await startRedirector({ ZT_RATE_IP_BURST: '1000000', ZT_RATE_MAC_BURST: '1000000' });
  const throttled = await startRedirector({});
  const results = new Map<string, { result: Measured; bare: Measured }[]>();
  try {
    const registered = await fetch(`${open.url}/redirector/v1/installations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${open.operatorToken}` },
      body: JSON.stringify({ name: 'Bench', devicesUrl: 'https://devices.example.com' }),
    });
    const { apiKey } = (await registered.json()) as { apiKey: string };
    const codes = await issueCodes(open.url, apiKey, WARMUP_REDEEMS + ROUNDS * FIRST_REDEEMS);
    let next = 0;
    const fresh = () => {
      const i = next++;
      return phone(macOf(i), codes[i]!);
    };
    let again = 0;
    const repeat = () => {
      const i = again++ % REPEAT_POOL;
      return phone(macOf(i), codes[i]!);
    };
    const wrong = () => phone(macOf(randomInt(1, 2 ** 32)), String(randomInt(0, 10 ** 12)).padStart(12, '0'));
    // the bare route gets bodies made alike, so the load generator spends the same on each request
    const bareScenario: Scenario = { name: 'bare', url: `${bare.url}/phone/redeem`, options: { next: wrong } };
    const scenarios: Scenario[] = [
      { name: `first redeem (${FIRST_REDEEMS.toLocaleString('en')} fresh codes a round)`, url: open.redeemUrl, options: { amount: FIRST_REDEEMS, next: fresh } },
      { name: 'repeat redeem (bound codes, same MAC)', url: open.redeemUrl, options: { next: repeat } },
      { name: 'wrong codes, unthrottled (limits raised: all 404)', url: open.redeemUrl, options: { next: wrong } },
      { name: 'wrong codes, throttled (default limits: 429 after the first 100)', url: throttled.redeemUrl, options: { next: wrong } },
    ];
    // warm-up: the first redeems use codes of their own, so the repeat pool is bound before it is measured
    await run(bareScenario.url, { duration: 2, ...bareScenario.options });
    await run(open.redeemUrl, { amount: WARMUP_REDEEMS, next: fresh });
    for (const s of scenarios.slice(1)) await run(s.url, { duration: 2, ...s.options });
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of scenarios) {
        const baseline = await run(bareScenario.url, bareScenario.options);
        const result = await run(s.url, s.options);
        results.set(s.name, [...(results.get(s.name) ?? []), { result, bare: baseline }]);
      }
    }
  } finally {
    await Promise.all([bare.stop(), open.stop(), throttled.stop()]);
    open.remove();
    throttled.remove();
  }

  const loadAfter = load();
  const summary = [...results.entries()].map(([name, rounds]) => {
    const ratios = rounds.map((r) => (100 * reqPerSecond(r.result)) / reqPerSecond(r.bare));
    const mid = rounds.find((r) => reqPerSecond(r.result) === median(rounds.map((x) => reqPerSecond(x.result))))!;
    return { name, rounds, mid, ratio: median(ratios) };
  });
  const lines = summary.map(({ name, rounds, mid, ratio }) => [
    name,
    Math.round(reqPerSecond(mid.result)).toLocaleString('en'),
    rounds.map((r) => Math.round(reqPerSecond(r.result)).toLocaleString('en')).join(' / '),
    mid.result.latency.p50.toFixed(1),
    mid.result.latency.p99.toFixed(1),
    rounds.map((r) => Math.round(reqPerSecond(r.bare)).toLocaleString('en')).join(' / '),
    `${Math.round(ratio)} %`,
    statuses(mid.result) + (mid.result.errors + mid.result.timeouts > 0 ? `; ${mid.result.errors} errors, ${mid.result.timeouts} timeouts` : ''),
  ]);
  const verdict = (prefix: string) => {
    const row = summary.find((r) => r.name.startsWith(prefix))!;
    const p99 = row.mid.result.latency.p99;
    return `- ${prefix}: ${Math.round(row.ratio)} % of the bare route (goal ≥ 50 %: ${row.ratio >= 50 ? 'met' : 'missed'}), p99 ${p99.toFixed(1)} ms (goal < 20 ms: ${p99 < 20 ? 'met' : 'missed'})`;
  };

  const markdown = `## Redirector: phone/redeem

${machine()}; ${today()}; load average (1 min) ${loadBefore} at the start, ${loadAfter} at the end. autocannon 9 on 127.0.0.1, ${CONNECTIONS} connections, ${ROUNDS} rounds; in each round
every scenario runs ${DURATION_S} s (first redeem: ${FIRST_REDEEMS.toLocaleString('en')} fresh codes), right after ${DURATION_S} s of
the bare route, so both see the shared machine in the same state. The table shows the
median round (its p50 and p99), every round's throughput, the bare route's throughput
before each, and the median of the rounds' ratios. The Redirector runs alone (the
\`serve --only redirector\` composition, \`ZT_LOG_LEVEL=warn\`) on a temp SQLite file in its own
process; "bare" is a fastify route answering the same JSON in another; the load generator
is a third. Valid-code runs and the unthrottled wrong-code run raise the per-IP and per-MAC
limits (all load comes from one address); the throttled run keeps the defaults, so after
the first 100 wrong codes it measures the 429 path.

${table(['scenario', 'req/s (median)', 'req/s per round', 'p50 ms', 'p99 ms', 'bare req/s per round', 'of bare', 'answers (median round)'], lines)}

${verdict('first redeem')}
${verdict('repeat redeem')}
`;
  writeBenchSection('redirector', markdown);
  process.stdout.write(markdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
