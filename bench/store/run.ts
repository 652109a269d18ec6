/**
 * `npm run bench:store`: the event store benchmark of issue 2. Every measurement runs in a
 * child process of its own (child.ts), side by side for zerotouch, the raw driver (the
 * ceiling) and Emmett (the peer), on SQLite and PostgreSQL, rounds interleaved so that the
 * noise of a shared machine falls on every subject alike. The medians go into the `store`
 * section of docs/benchmarks.md (full runs only) and to stdout.
 *
 *   npm run bench:store                      full run, writes docs/benchmarks.md
 *   npm run bench:store -- --quick           small counts, 1 round, a smoke run (writes nothing)
 *   npm run bench:store -- --render bench/.tmp/store/<run>/results.json   the report of an earlier run again
 *   options: --store sqlite|postgres  --subjects zerotouch-sqlite,raw-sqlite,...
 *            --only single-1,single-8,single-64,batch-100,replay  --rounds N
 *            --profile (node --cpu-prof in every child, into bench/.tmp/store/)  --write / --no-write
 */
import { execFileSync, fork } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { TEST_PG_URL, createTestDatabase, type TestDatabase } from '../../test/support/postgres';
import { ensurePeer, type PeerName } from './peers';
import { renderReport, type Cell, type Plan } from './report';
import {
  BENCH_DIR,
  MEASUREMENTS,
  REPO_DIR,
  SUBJECTS,
  TMP_DIR,
  type ChildMessage,
  type ChildResult,
  type ChildSpec,
  type Family,
  type MeasurementId,
  type SubjectId,
} from './shared';
import { machine, today, writeBenchSection } from '../report';

// ---- options ----------------------------------------------------------------------------

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(`--${name}`);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

/** render the results of an earlier run (its results.json) instead of measuring */
const rendering = option('render');
const quick = flag('quick');
const profile = flag('profile');
const storeFilter = option('store');
const subjectFilter = option('subjects')?.split(',');
const onlyFilter = option('only')?.split(',') as MeasurementId[] | undefined;
const rounds = Number(option('rounds') ?? (quick ? 1 : 3));
const filtered = Boolean(storeFilter || subjectFilter || onlyFilter || option('rounds'));
const write = flag('write') || (!quick && !filtered && !flag('no-write'));

const plan: Plan = quick
  ? { single: { 1: 2_000, 8: 4_000, 64: 8_000 }, batch: 10_000, appendCapMs: 3_000, replayEvents: 20_000, replayCapMs: 30_000, rounds, quick }
  : { single: { 1: 20_000, 8: 50_000, 64: 100_000 }, batch: 200_000, appendCapMs: 15_000, replayEvents: 1_000_000, replayCapMs: 120_000, rounds, quick };

for (const m of onlyFilter ?? []) if (!MEASUREMENTS.includes(m)) throw new Error(`unknown measurement ${m}; known: ${MEASUREMENTS.join(', ')}`);
const measurements = MEASUREMENTS.filter((m) => !onlyFilter || onlyFilter.includes(m));
let subjects = SUBJECTS.filter((s) => (!storeFilter || s.store === storeFilter) && (!subjectFilter || subjectFilter.includes(s.id)));
if (subjects.length === 0) throw new Error('no subject left by --store/--subjects');

const runDir = join(TMP_DIR, new Date().toISOString().replace(/[:.]/g, '-'));
if (!rendering) mkdirSync(runDir, { recursive: true });
const say = (text: string): void => console.log(text);

// ---- children ---------------------------------------------------------------------------

const CHILD = join(BENCH_DIR, 'child.ts');
let childCount = 0;

interface ChildOutcome {
  readonly result?: ChildResult;
  readonly error?: string;
  readonly log: string;
}

function runChild(spec: ChildSpec, label: string, timeoutMs: number): Promise<ChildOutcome> {
  const n = ++childCount;
  const log = join(runDir, `${String(n).padStart(3, '0')}-${label.replace(/[^a-z0-9-]+/gi, '_')}.log`);
  const out = createWriteStream(log);
  const execArgv = ['--import', 'tsx'];
  // one folder per child: the main thread and the module loader's thread each write a profile
  if (profile) execArgv.push('--cpu-prof', `--cpu-prof-dir=${join(runDir, 'profiles', `${String(n).padStart(3, '0')}-${label}`)}`);
  return new Promise((resolve) => {
    let result: ChildResult | undefined;
    let error: string | undefined;
    const child = fork(CHILD, [JSON.stringify(spec)], { cwd: REPO_DIR, execArgv, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    child.stdout?.pipe(out, { end: false });
    child.stderr?.pipe(out, { end: false });
    const timer = setTimeout(() => {
      error = `timed out after ${Math.round(timeoutMs / 1000)} s`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'progress') say(`    ${label}: ${message.text}`);
      else if (message.kind === 'result') result = message.result;
      else error = message.message;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!result && !error) error = `child ended (${signal ?? `exit ${code}`}) without a result; see ${log}`;
      out.end();
      resolve({ result, error, log });
    });
  });
}

// ---- PostgreSQL --------------------------------------------------------------------------

async function postgresReachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL not reachable at ZT_TEST_PG_URL (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

// ---- the run ------------------------------------------------------------------------------

const cells = new Map<string, Cell>(); // `${subject}|${measurement}`
const cell = (subject: SubjectId, m: MeasurementId): Cell => {
  const key = `${subject}|${m}`;
  let c = cells.get(key);
  if (!c) {
    c = { rounds: [], errors: [], skipped: undefined };
    cells.set(key, c);
  }
  return c;
};

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function record(subject: SubjectId, m: MeasurementId, outcome: ChildOutcome): void {
  const c = cell(subject, m);
  if (outcome.result) {
    c.rounds.push(outcome.result);
    const r = outcome.result;
    const extras = [
      r.capped ? 'capped' : '',
      r.failures && Object.keys(r.failures).length > 0 ? `${Object.values(r.failures).reduce((a, b) => a + b, 0)} failures` : '',
      r.gap ? (r.gap.equal ? 'no gaps' : `GAPS: ${r.gap.skipped} skipped, ${r.gap.extra} extra`) : '',
      ...(r.notes ?? []),
    ].filter(Boolean);
    say(`  ${subject} ${m}: ${fmt(r.rate)} events/s (${fmt(r.events)} in ${(r.ms / 1000).toFixed(2)} s, peak RSS ${r.maxRssMB} MB)${extras.length ? ` [${extras.join('; ')}]` : ''}`);
  } else {
    c.errors.push(outcome.error ?? 'unknown failure');
    say(`  ${subject} ${m}: FAILED: ${(outcome.error ?? '').split('\n')[0]} (log: ${outcome.log})`);
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const revisionAtStart = revision();
  say(`store benchmark${quick ? ' (quick)' : ''}: ${subjects.map((s) => s.id).join(', ')}; ${measurements.join(', ')}; ${rounds} round(s); logs in ${runDir}`);

  // what cannot run is reported as such, not as a crash of the benchmark
  if (subjects.some((s) => s.store === 'postgres')) {
    const unreachable = await postgresReachable();
    if (unreachable) {
      say(`  ${unreachable}: PostgreSQL subjects skipped`);
      for (const s of subjects.filter((x) => x.store === 'postgres')) for (const m of measurements) cell(s.id, m).skipped = unreachable;
      subjects = subjects.filter((s) => s.store !== 'postgres');
    }
  }
  const peers: Array<[SubjectId, PeerName]> = [
    ['emmett-sqlite', 'emmett-sqlite'],
    ['emmett-postgres', 'emmett-postgresql'],
  ];
  for (const [subject, peer] of peers) {
    if (!subjects.some((s) => s.id === subject)) continue;
    const failure = await ensurePeer(peer, join(runDir, `install-${peer}.log`), say);
    if (failure) {
      say(`  ${failure}: ${subject} skipped`);
      for (const m of measurements) cell(subject, m).skipped = failure;
      subjects = subjects.filter((s) => s.id !== subject);
    }
  }

  const writeMeasurements = measurements.filter((m) => m !== 'replay');
  for (const m of writeMeasurements) {
    for (let round = 1; round <= rounds; round++) {
      say(`${m}, round ${round} of ${rounds}`);
      for (const s of subjects.filter((x) => !x.only || x.only.includes(m))) {
        const spec: ChildSpec =
          m === 'batch-100'
            ? { kind: 'batches', subject: s.id, batchSize: 100, total: plan.batch, capMs: plan.appendCapMs }
            : {
                kind: 'appends',
                subject: s.id,
                writers: Number(m.slice('single-'.length)),
                total: plan.single[Number(m.slice('single-'.length)) as 1 | 8 | 64],
                capMs: plan.appendCapMs,
                gapCheck: s.store === 'postgres',
              };
        record(s.id, m, await runChild(spec, `${s.id}-${m}-r${round}`, plan.appendCapMs + 120_000));
      }
    }
  }

  if (measurements.includes('replay')) await replays();

  say(`done in ${((performance.now() - started) / 60_000).toFixed(1)} min`);
  const saved: SavedRun = {
    plan,
    cells: [...cells.entries()],
    machine: machine(),
    date: today(),
    revision: revisionSpan(revisionAtStart, revision()),
    subjects: SUBJECTS.filter((s) => (!storeFilter || s.store === storeFilter) && (!subjectFilter || subjectFilter.includes(s.id))).map((s) => s.id),
    measurements,
  };
  writeFileSync(join(runDir, 'results.json'), `${JSON.stringify(saved, null, 1)}\n`);
  say(`results: ${join(runDir, 'results.json')} (npm run bench:store -- --render <file> renders them again)`);
  publish(saved);
}

/** What a run measured, kept beside its logs so the report can be rendered again. */
interface SavedRun {
  readonly plan: Plan;
  readonly cells: ReadonlyArray<readonly [string, Cell]>;
  readonly machine: string;
  readonly date: string;
  readonly revision: string;
  readonly subjects: readonly SubjectId[];
  readonly measurements: readonly MeasurementId[];
}

function publish(saved: SavedRun): void {
  const markdown = renderReport({
    plan: saved.plan,
    cells: new Map(saved.cells),
    machine: saved.machine,
    date: saved.date,
    revision: saved.revision,
    subjects: SUBJECTS.filter((s) => saved.subjects.includes(s.id)),
    measurements: saved.measurements,
  });
  console.log(`\n${markdown}\n`);
  const full = !saved.plan.quick && saved.subjects.length === SUBJECTS.length && saved.measurements.length === MEASUREMENTS.length && saved.plan.rounds >= 3;
  if (rendering ? flag('write') || (full && !flag('no-write')) : write) {
    writeBenchSection('store', markdown);
    say('written to docs/benchmarks.md (section "store")');
  } else {
    say('not written to docs/benchmarks.md (quick or partial run; --write to force)');
  }
}

/** Seed each data set once (not measured), then replay it in a child per subject and round. */
async function replays(): Promise<void> {
  const families = [...new Set(subjects.filter((s) => !s.only || s.only.includes('replay')).map((s) => s.family))];
  const sources = new Map<Family, string>();
  const databases: TestDatabase[] = [];
  try {
    for (const family of families) {
      let target: string;
      if (family.endsWith('sqlite')) {
        target = join(runDir, `${family}.db`);
      } else {
        const db = await createTestDatabase('zt_bench_seed');
        databases.push(db);
        target = db.url;
      }
      say(`seeding ${plan.replayEvents.toLocaleString('en-US')} events for ${family} (not measured)`);
      const seeded = await runChild({ kind: 'seed', family, events: plan.replayEvents, target }, `seed-${family}`, 30 * 60_000);
      if (!seeded.result) {
        say(`  seeding ${family} FAILED: ${(seeded.error ?? '').split('\n')[0]} (log: ${seeded.log})`);
        for (const s of subjects.filter((x) => x.family === family)) cell(s.id, 'replay').errors.push(`seeding failed: ${seeded.error}`);
        continue;
      }
      say(`  seeded ${family}: ${fmt(seeded.result.rate)} events/s`);
      sources.set(family, target);
    }
    for (let round = 1; round <= rounds; round++) {
      say(`replay, round ${round} of ${rounds}`);
      for (const s of subjects.filter((x) => !x.only || x.only.includes('replay'))) {
        const source = sources.get(s.family);
        if (!source) continue;
        const spec: ChildSpec = { kind: 'replay', subject: s.id, source, expected: plan.replayEvents, capMs: plan.replayCapMs, round };
        record(s.id, 'replay', await runChild(spec, `${s.id}-replay-r${round}`, plan.replayCapMs + 180_000));
      }
    }
  } finally {
    for (const db of databases) await db.drop().catch((e: unknown) => say(`  could not drop ${db.name}: ${(e as Error).message}`));
    for (const family of families) if (family.endsWith('sqlite')) rmSync(join(runDir, `${family}.db`), { force: true });
    for (const suffix of ['-wal', '-shm']) for (const family of families) rmSync(join(runDir, `${family}.db${suffix}`), { force: true });
  }
}

/** the revision measured; when the code under measurement changed during the run, both ends and the commits between */
function revisionSpan(start: string, end: string): string {
  if (start === end) return start;
  let between = '';
  try {
    between = execFileSync('git', ['log', '--format=%h %s', `${start.split(',')[0]}..${end.split(',')[0]}`, '--', ...MEASURED], { cwd: REPO_DIR, encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .join('; ');
  } catch {
    // unknown revisions: say only the ends
  }
  return `${start} at the start, ${end} at the end${between ? ` (changes to the measured code in between: ${between})` : ''}`;
}

/** the code under measurement: the stores, the read models, the projection runner and the ports */
const MEASURED = ['src/adapters/eventstore', 'src/adapters/readmodels', 'src/application/projections', 'src/application/ports', 'bench/store'];

function revision(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_DIR, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', ...MEASURED], { cwd: REPO_DIR, encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.startsWith(' M') || l.startsWith('M'))
      .map((l) => l.slice(3));
    return dirty.length > 0 ? `${sha}, with uncommitted changes to ${dirty.join(', ')}` : sha;
  } catch {
    return 'unknown';
  }
}

if (!existsSync(CHILD)) throw new Error(`missing ${CHILD}`);
(rendering ? Promise.resolve(publish(JSON.parse(readFileSync(rendering, 'utf8')) as SavedRun)) : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
