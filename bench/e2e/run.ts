/**
 * `npm run bench:e2e`: the whole seed flow with `zerotouch fleet` for 1,000 and 10,000
 * phones, on SQLite, on PostgreSQL, and on PostgreSQL with two nodes behind HAProxy. The
 * server runs as its own process (`serve --demo` on a temp data dir, or a fresh PostgreSQL
 * database) with a CPU profile; the fleet as another. Reported: time to all registered, phones/s, time to registered p50/p95/p99, the
 * server's peak RSS, and where the server's time went. Results go into the `e2e` section
 * of docs/benchmarks.md.
 *
 *   npm run bench:e2e                          1,000 and 10,000 phones; sqlite, postgres, postgres-2
 *   npm run bench:e2e -- --phones 1000,5000 --stores sqlite --no-write
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase } from '../../test/support/postgres';
import { freePort } from '../../test/support/server';
import { machine, table, today, writeBenchSection } from '../report';
import { summariseProfile, type ProfileSummary } from './profile';
import { serverNodeFlags } from '../../bin/node-flags.mjs'; // shared with the launcher, so the bench starts the server alike

const REPO = new URL('../../', import.meta.url).pathname;
const MAIN = join(REPO, 'src/main.ts');
const BUNDLE = join(REPO, 'dist/server/zerotouch.mjs');
const KEEP = join(REPO, 'bench/.tmp/e2e');
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const phoneCounts = (option('phones') ?? '1000,10000').split(',').map(Number);
const stores = (option('stores') ?? 'sqlite,postgres,postgres-2').split(',') as Setup[];
const concurrency = option('concurrency') ?? '64';
const write = !args.includes('--no-write') && option('phones') === undefined && option('stores') === undefined;

interface FleetSummary {
  registered: number;
  phones: number;
  errors: Record<string, number>;
  timeToRegisteredMs: { p50: number; p95: number; p99: number; max: number };
  phasesMs: { users: number; rollout: number; phones: number; total: number };
  throughput: number;
}

interface Result {
  readonly store: string;
  readonly phones: number;
  readonly summary: FleetSummary;
  readonly peakRssMb: number;
  readonly peakHeapMb: number;
  readonly profile: ProfileSummary | undefined;
}

function vmHwmMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

/** A setup: the store, and how many nodes share it behind HAProxy (1: the node alone, no balancer). */
type Setup = 'sqlite' | 'postgres' | 'postgres-2';
const nodesOf = (setup: Setup): number => (setup === 'postgres-2' ? 2 : 1);

interface Node {
  readonly url: string;
  readonly process: ChildProcess;
  readonly exited: Promise<void>;
  readonly profileDir: string;
  readonly dataDir: string;
  stderr: string;
}

function startNode(env: NodeJS.ProcessEnv, port: number): Node {
  const dataDir = mkdtempSync(join(tmpdir(), 'zt-bench-e2e-'));
  const profileDir = join(dataDir, 'profile');
  const url = `http://127.0.0.1:${port}`;
  const nodeEnv = { ...env, ZT_DATA_DIR: dataDir, ZT_PORT: String(port), ...(env['ZT_PUBLIC_URL'] ? { ZT_DEVICES_URL: url } : {}) };
  // the server as `npm start` runs it: the bundle, no TypeScript loader, its V8 settings
  const child = spawn(process.execPath, [...serverNodeFlags(), '--cpu-prof', '--cpu-prof-dir', profileDir, BUNDLE, 'serve', '--demo'], { cwd: REPO, env: nodeEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  const node: Node = { url, process: child, exited: new Promise<void>((resolve) => child.once('exit', () => resolve())), profileDir, dataDir, stderr: '' };
  child.stderr!.on('data', (d: Buffer) => (node.stderr += d.toString()));
  return node;
}

async function ready(url: string, what: () => string, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await fetch(`${url}/readyz`).then((r) => r.ok, () => false))) {
    if (!alive() || Date.now() > deadline) throw new Error(`${url} did not get ready: ${what()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** HAProxy in front of the nodes, as docs/operations.md configures it (round robin, /readyz checks, long tunnels). */
function startBalancer(port: number, nodes: readonly Node[], dir: string): ChildProcess {
  const config = [
    'defaults',
    '  mode http',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout tunnel 1h',
    'frontend zerotouch',
    `  bind 127.0.0.1:${port}`,
    '  option forwardfor',
    '  default_backend nodes',
    'backend nodes',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  default-server inter 2s fall 2 rise 2',
    ...nodes.map((n, i) => `  server node${i + 1} ${new URL(n.url).host} check`),
    '',
  ].join('\n');
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config);
  return spawn('haproxy', ['-db', '-f', file], { stdio: 'ignore' });
}

async function runOnce(setup: Setup, phones: number): Promise<Result> {
  const db = setup === 'sqlite' ? undefined : await createTestDatabase();
  const count = nodesOf(setup);
  const ports = await Promise.all(Array.from({ length: count + (count > 1 ? 1 : 0) }, () => freePort()));
  const balancerPort = count > 1 ? ports[count]! : undefined;
  const adminToken = randomBytes(24).toString('base64url');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ZT_HOST: '127.0.0.1',
    ZT_LOG_LEVEL: 'warn',
    ZT_POLL_SECONDS: '300',
    ZT_ADMIN_TOKEN: adminToken,
    ...(db ? { ZT_STORE: db.url } : {}),
    // several nodes: one configuration (SPEC §9), the balancer's URL as the public one
    ...(balancerPort !== undefined
      ? {
          ZT_SERVER_SECRET: randomBytes(32).toString('base64'),
          ZT_OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
          ZT_PUBLIC_URL: `http://127.0.0.1:${balancerPort}`,
          ZT_TRUST_PROXY: 'true',
        }
      : {}),
  };
  const nodes: Node[] = [];
  let balancer: ChildProcess | undefined;
  try {
    // one after the other: the first sets the database up, the next finds it set up
    for (let i = 0; i < count; i++) {
      const node = startNode(env, ports[i]!);
      nodes.push(node);
      await ready(node.url, () => node.stderr, () => node.process.exitCode === null);
    }
    const url = balancerPort === undefined ? nodes[0]!.url : `http://127.0.0.1:${balancerPort}`;
    if (balancerPort !== undefined) {
      balancer = startBalancer(balancerPort, nodes, nodes[0]!.dataDir);
      await ready(url, () => 'the balancer', () => balancer!.exitCode === null);
      // HAProxy takes a node in after its first passing checks
      await new Promise((r) => setTimeout(r, 4_500));
    }
    let peak = 0;
    let peakHeapMb = 0;
    const sample = (): void => {
      for (const node of nodes) {
        peak = Math.max(peak, vmHwmMb(node.process.pid!));
        void fetch(`${node.url}/metrics`)
          .then((r) => r.text())
          .then((text) => {
            const used = Number(/^nodejs_heap_size_used_bytes (\d+)/m.exec(text)?.[1] ?? 0);
            peakHeapMb = Math.max(peakHeapMb, used / 2 ** 20);
          }, () => undefined);
      }
    };
    sample();
    const sampler = setInterval(sample, 1000);
    process.stdout.write(`  ${setup}, ${phones} phones ... `);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', MAIN, 'fleet', '--url', url, '--phones', String(phones), '--concurrency', concurrency, '--json', '--timeout-seconds', '600'],
      { cwd: REPO, env: { ...env, ZT_DATA_DIR: nodes[0]!.dataDir }, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stdout?: string; stderr?: string }) => {
      if (error.stdout) return { stdout: error.stdout }; // the summary of a run with errors
      throw new Error(`fleet failed: ${error.stderr ?? String(error)}`);
    });
    clearInterval(sampler);
    sample();
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as FleetSummary;
    process.stdout.write(`${(summary.phasesMs.total / 1000).toFixed(1)} s, ${summary.registered} registered, peak RSS ${peak.toFixed(0)} MB (V8 heap in use at most ${peakHeapMb.toFixed(0)} MB)\n`);
    for (const node of nodes) node.process.kill('SIGTERM');
    await Promise.all(nodes.map((n) => n.exited));
    // a node that did not stop cleanly says why on stderr (a stop past ZT_SHUTDOWN_TIMEOUT_SECONDS names its step)
    for (const node of nodes) {
      if (node.process.exitCode !== 0) process.stdout.write(`  ${node.url} exited with ${node.process.exitCode ?? node.process.signalCode}: ${node.stderr.trim().split('\n').slice(-5).join('\n  ')}\n`);
    }
    const profileDir = nodes[0]!.profileDir;
    const profileFile = (existsSync(profileDir) ? readdirSync(profileDir) : []).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(profileDir, f));
    // the main thread's profile is the largest (the module loader's worker writes a small one)
    const main = profileFile.sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
    if (main) {
      // kept for a closer look (bench/.tmp is not committed)
      mkdirSync(KEEP, { recursive: true });
      copyFileSync(main, join(KEEP, `${setup}-${phones}.cpuprofile`));
    }
    return { store: setup, phones, summary, peakRssMb: peak, peakHeapMb, profile: main ? summariseProfile(main) : undefined };
  } finally {
    balancer?.kill('SIGKILL');
    for (const node of nodes) {
      if (node.process.exitCode === null) {
        node.process.kill('SIGKILL');
        await node.exited;
      }
    }
    await db?.drop();
    // ZT_BENCH_KEEP_DATA=1 keeps the nodes' data dirs (SQLite files) for a closer look
    if (process.env['ZT_BENCH_KEEP_DATA'] === '1') process.stdout.write(`  data kept in ${nodes.map((n) => n.dataDir).join(', ')}\n`);
    else for (const node of nodes) rmSync(node.dataDir, { recursive: true, force: true });
  }
}

const results: Result[] = [];
console.log(`bench:e2e on ${machine()}`);
await promisify(execFile)('npm', ['run', 'build'], { cwd: REPO }); // the web pages and the server bundle
for (const store of stores) for (const phones of phoneCounts) results.push(await runOnce(store, phones));

const s = (ms: number): string => (ms / 1000).toFixed(1);
const rows = results.map((r) => [
  r.store,
  r.phones.toLocaleString('en'),
  `${r.summary.registered.toLocaleString('en')}${Object.keys(r.summary.errors).length ? ` (errors: ${JSON.stringify(r.summary.errors)})` : ''}`,
  s(r.summary.phasesMs.total),
  `${s(r.summary.phasesMs.users)} / ${s(r.summary.phasesMs.rollout)} / ${s(r.summary.phasesMs.phones)}`,
  r.summary.throughput.toFixed(0),
  `${s(r.summary.timeToRegisteredMs.p50)} / ${s(r.summary.timeToRegisteredMs.p95)} / ${s(r.summary.timeToRegisteredMs.p99)}`,
  r.peakRssMb.toFixed(0),
  r.peakHeapMb.toFixed(0),
]);

const goals: string[] = [];
const find = (store: string, phones: number): Result | undefined => results.find((r) => r.store === store && r.phones === phones);
for (const store of stores) {
  const big = find(store, 10_000);
  const small = find(store, 1_000);
  if (big && store === 'sqlite') {
    goals.push(`- SQLite, 10,000 phones registered in ≤ 60 s: ${s(big.summary.phasesMs.total)} s — **${big.summary.registered === 10_000 && big.summary.phasesMs.total <= 60_000 ? 'PASS' : 'MISS'}**`);
    goals.push(`- SQLite, server peak RSS during the 10,000 run ≤ 256 MB: ${big.peakRssMb.toFixed(0)} MB — **${big.peakRssMb <= 256 ? 'PASS' : 'MISS'}**`);
  }
  if (big && small) {
    const ratio = big.summary.phasesMs.total / small.summary.phasesMs.total;
    goals.push(`- ${store}, time for 10,000 ≤ 11 × time for 1,000: ${ratio.toFixed(1)} × — **${ratio <= 11 ? 'PASS' : 'MISS'}**`);
  }
}

const sqliteBig = find('sqlite', 10_000);
const pgBig = find('postgres', 10_000);
const pg2Big = find('postgres-2', 10_000);
if (sqliteBig && pgBig) {
  const ratio = pgBig.summary.phasesMs.total / sqliteBig.summary.phasesMs.total;
  goals.push(`- PostgreSQL, one node, 10,000 phones in ≤ 1.5 × the SQLite time of this run: ${ratio.toFixed(2)} × — **${ratio <= 1.5 ? 'PASS' : 'MISS'}**`);
}
if (pgBig && pg2Big) {
  const ratio = pg2Big.summary.phasesMs.total / pgBig.summary.phasesMs.total;
  goals.push(`- PostgreSQL, two nodes behind HAProxy no slower than one: ${ratio.toFixed(2)} × the one-node time — **${ratio <= 1.05 ? 'PASS' : 'MISS'}** (goal: within 5 %, the noise of this machine)`);
}

const profiled = results.find((r) => r.store === 'sqlite' && r.phones === Math.max(...phoneCounts)) ?? results.at(-1);
const profileText = profiled?.profile
  ? [
      `Server CPU profile of the ${profiled.store} run with ${profiled.phones.toLocaleString('en')} phones: ${s(profiled.profile.totalMs)} s sampled, of which idle ${s(profiled.profile.idleMs)} s and garbage collection ${s(profiled.profile.gcMs)} s.`,
      '',
      table(['function (self time)', 'ms'], profiled.profile.functions.map(([k, v]) => [`\`${k}\``, v.toFixed(0)])),
      '',
      table(['source file (inclusive)', 'ms'], profiled.profile.files.map(([k, v]) => [`\`${k}\``, v.toFixed(0)])),
    ].join('\n')
  : '';

const markdown = [
  '## End to end: `zerotouch fleet` (`npm run bench:e2e`)',
  '',
  `${today()}, ${machine()}. The server (\`serve --demo\` from the bundle with the V8 settings of \`bin/node-flags.mjs\`, as \`npm start\` runs it: all parts, one process; \`postgres-2\`: two such nodes on one database behind HAProxy with round robin and \`/readyz\` checks, configured as docs/operations.md says, RSS the larger node's) and the fleet (\`fleet --phones N --concurrency ${concurrency}\`) run as two processes on the same 2 cores; each run starts from an empty store. Time is the fleet's total: creating the users, one UsersAdmin rollout (one code per user, through Users → Devices → Redirector), then every phone through init, redeem, provision, firmware and config until UsersAdmin shows it Registered.`,
  '',
  table(['store', 'phones', 'registered', 'total s', 'users / rollout / phones s', 'phones/s', 'time to registered p50 / p95 / p99 s', 'server peak RSS MB', 'server V8 heap in use, peak MB'], rows),
  '',
  ...goals,
  '',
  profileText,
].join('\n');

console.log(`\n${markdown}`);
if (write) writeBenchSection('e2e', markdown);
