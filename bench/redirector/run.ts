/**
 * `npm run bench:redirector`: phone/redeem under autocannon on 127.0.0.1, 50 connections,
 * against the Redirector alone on a temp SQLite file and, in the same run, a bare fastify
 * route measured right before each scenario. Each target runs in its own process; this
 * one only generates load.
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
import { join } from 'node:path';
import { tempDir } from '../../test/support/temp-dir';
import { machine, table, today, writeBenchSection } from '../report';

const CONNECTIONS = 50;
const DURATION_S = 10;
const FIRST_REDEEMS = 30_000;
const WARMUP_REDEEMS = 5_000;
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

interface Row {
  readonly scenario: string;
  readonly result: Result;
  /** the bare route, measured right before this scenario */
  readonly bare: Result;
}

const reqPerSecond = (r: Result): number => r.requests.total / r.duration;
const statuses = (r: Result): string =>
  Object.entries(r.statusCodeStats as Record<string, { count: number }>)
    .map(([status, { count }]) => `${status}: ${count}`)
    .join(', ');

const phone = (mac: string, code: string): string =>
  JSON.stringify({ code, mac, model: 'IP112', firmware: '13r1 sr2 [13.7150]', bootcode: '13r1 boot', localIp: '192.0.2.10' });
const macOf = (i: number): string => `0090${i.toString(16).padStart(8, '0')}`;

/** a run where each request's body comes from `next` (autocannon builds each request anew) */
function run(url: string, options: { amount?: number; duration?: number; next: () => string; connections?: number }): Promise<Result> {
  return autocannon({
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

/** A scenario of the Redirector, measured right after the bare route, so both see the machine in the same state. */
type Measure = (scenario: string, url: string, options: { amount?: number; next: () => string }) => Promise<void>;

async function redirector(measure: Measure, throttled: boolean): Promise<void> {
  const dir = tempDir('zt-bench-redirector-');
  const operatorToken = randomBytes(24).toString('base64url');
  const limits: Record<string, string> = throttled ? {} : { ZT_RATE_IP_BURST: '1000000', ZT_RATE_MAC_BURST: '1000000' };
  const target = await startTarget('redirector', {
    ZT_HOST: '127.0.0.1',
    ZT_PORT: '0',
    ZT_DATA_DIR: dir.path,
    ZT_STORE: `sqlite:${dir.path}/zerotouch.db`,
    ZT_OPERATOR_TOKEN: operatorToken,
    ZT_LOG_LEVEL: 'warn',
    ...limits,
  });
  const redeemUrl = `${target.url}/redirector/v1/phone/redeem`;
  const wrong = () => phone(macOf(randomInt(1, 2 ** 32)), String(randomInt(0, 10 ** 12)).padStart(12, '0'));
  try {
    if (throttled) {
      await run(redeemUrl, { duration: 2, next: wrong });
      await measure('wrong codes, throttled (default limits: 429 after the first 100)', redeemUrl, { next: wrong });
      return;
    }
    const registered = await fetch(`${target.url}/redirector/v1/installations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorToken}` },
      body: JSON.stringify({ name: 'Bench', devicesUrl: 'https://devices.example.com' }),
    });
    const { apiKey } = (await registered.json()) as { apiKey: string };
    const codes = await issueCodes(target.url, apiKey, WARMUP_REDEEMS + FIRST_REDEEMS);
    let next = 0;
    const fresh = () => {
      const i = next++;
      return phone(macOf(i), codes[i % codes.length]!);
    };
    await run(redeemUrl, { amount: WARMUP_REDEEMS, next: fresh });
    await measure(`first redeem (${FIRST_REDEEMS.toLocaleString('en')} fresh codes)`, redeemUrl, { amount: FIRST_REDEEMS, next: fresh });
    let again = 0;
    const repeat = () => {
      const i = again++ % REPEAT_POOL;
      return phone(macOf(i), codes[i]!);
    };
    await run(redeemUrl, { duration: 2, next: repeat });
    await measure('repeat redeem (bound codes, same MAC)', redeemUrl, { next: repeat });
    await run(redeemUrl, { duration: 2, next: wrong });
    await measure('wrong codes, unthrottled (limits raised: all 404)', redeemUrl, { next: wrong });
  } finally {
    await target.stop();
    dir.remove();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const bare = await startTarget('bare');
  const bareBody = phone(macOf(1), '123456789012');
  const bareRun = () => run(`${bare.url}/phone/redeem`, { next: () => bareBody });
  const measure: Measure = async (scenario, url, options) => {
    const baseline = await bareRun();
    rows.push({ scenario, bare: baseline, result: await run(url, options) });
  };
  try {
    await run(`${bare.url}/phone/redeem`, { duration: 2, next: () => bareBody });
    await redirector(measure, false);
    await redirector(measure, true);
  } finally {
    await bare.stop();
  }

  const ratio = (row: Row) => (100 * reqPerSecond(row.result)) / reqPerSecond(row.bare);
  const lines = rows.map((row) => [
    row.scenario,
    row.result.requests.total.toLocaleString('en'),
    Math.round(reqPerSecond(row.result)).toLocaleString('en'),
    row.result.latency.p50.toFixed(1),
    row.result.latency.p99.toFixed(1),
    Math.round(reqPerSecond(row.bare)).toLocaleString('en'),
    `${row.bare.latency.p50.toFixed(1)} / ${row.bare.latency.p99.toFixed(1)}`,
    `${Math.round(ratio(row))} %`,
    statuses(row.result) + (row.result.errors + row.result.timeouts > 0 ? `; ${row.result.errors} errors, ${row.result.timeouts} timeouts` : ''),
  ]);
  const verdict = (prefix: string) => {
    const row = rows.find((r) => r.scenario.startsWith(prefix))!;
    const p99 = row.result.latency.p99;
    return `- ${prefix}: ${Math.round(ratio(row))} % of the bare route (goal ≥ 50 %: ${ratio(row) >= 50 ? 'met' : 'missed'}), p99 ${p99.toFixed(1)} ms (goal < 20 ms: ${p99 < 20 ? 'met' : 'missed'})`;
  };

  const markdown = `## Redirector: phone/redeem

${machine()}; ${today()}. autocannon 9 on 127.0.0.1, ${CONNECTIONS} connections, ${DURATION_S} s per run (first
redeem: a fixed number of fresh codes), each after a short warm-up. The Redirector runs alone
(the \`serve --only redirector\` composition, \`ZT_LOG_LEVEL=warn\`) on a temp SQLite file in its
own process; "bare" is a fastify route answering the same JSON in another process, measured
right before each scenario so that both see the machine in the same state; the load
generator is a third process. Valid-code runs and the unthrottled wrong-code run raise the
per-IP and per-MAC limits (all load comes from one address); the throttled run keeps the
defaults, so after the first 100 wrong codes it measures the 429 path.

${table(['scenario', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'bare req/s', 'bare p50 / p99 ms', 'of bare', 'answers'], lines)}

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
