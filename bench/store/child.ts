/**
 * One measurement in a process of its own (started by run.ts with the spec as its
 * argument): so the peak RSS and JIT state of one measurement do not leak into another.
 * Appends and batches run on a fresh temp SQLite file or a fresh PostgreSQL database,
 * dropped afterwards; replays read a data set seeded beforehand by a child of its own.
 * Answers over IPC: progress lines, then one result.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../../test/support/postgres';
import {
  emmettPostgresAppender,
  emmettPostgresPager,
  emmettPostgresReplay,
  rawPostgresAppender,
  rawPostgresPager,
  rawPostgresScan,
  seedEmmettPostgres,
  seedZerotouchPostgres,
  zerotouchPostgresAppender,
  zerotouchPostgresPager,
  zerotouchPostgresReplay,
} from './postgres-subjects';
import { errorKey, subjectInfo, type ChildMessage, type ChildResult, type ChildSpec, type SubjectId } from './shared';
import {
  emmettSqliteAppender,
  emmettSqliteReplay,
  rawSqliteAppender,
  rawSqliteGroupedAppender,
  rawSqliteScan,
  seedEmmettSqlite,
  seedZerotouchSqlite,
  type ReplayOutcome,
  zerotouchSqliteAppender,
  zerotouchSqliteReplay,
} from './sqlite-subjects';
import { runBatches, runWriters, withGapReader, type Appender, type Pager, type WorkloadOutcome } from './workload';

const send = (message: ChildMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
const progress = (text: string): void => void send({ kind: 'progress', text });

/** Failures a peer raises outside any call (a callback after close, an error event without a listener). */
const stray: Record<string, number> = {};
process.on('uncaughtException', (error) => {
  const key = `uncaught ${errorKey(error)}`;
  stray[key] = (stray[key] ?? 0) + 1;
});
process.on('unhandledRejection', (error) => {
  const key = `unhandled rejection ${errorKey(error)}`;
  stray[key] = (stray[key] ?? 0) + 1;
});

const maxRssMB = (): number => Math.round((process.resourceUsage().maxRSS * 1024) / 1e5) / 10;

interface Place {
  /** a SQLite file or a PostgreSQL URL */
  readonly target: string;
  dispose(): Promise<void>;
}

async function freshPlace(subject: SubjectId): Promise<Place> {
  if (subjectInfo(subject).store === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'zt-bench-store-'));
    return { target: join(dir, 'events.db'), dispose: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const db = await createTestDatabase('zt_bench');
  return { target: db.url, dispose: () => db.drop() };
}

function appender(subject: SubjectId, target: string): Promise<Appender> {
  switch (subject) {
    case 'zerotouch-sqlite':
      return Promise.resolve(zerotouchSqliteAppender(target));
    case 'raw-sqlite':
      return Promise.resolve(rawSqliteAppender(target));
    case 'raw-sqlite-grouped':
      return Promise.resolve(rawSqliteGroupedAppender(target));
    case 'emmett-sqlite':
      return Promise.resolve(emmettSqliteAppender(target));
    case 'zerotouch-postgres':
      return zerotouchPostgresAppender(target);
    case 'raw-postgres':
      return rawPostgresAppender(target);
    case 'emmett-postgres':
      return emmettPostgresAppender(target);
  }
}

function pager(subject: SubjectId, target: string): Promise<Pager> {
  switch (subject) {
    case 'zerotouch-postgres':
      return zerotouchPostgresPager(target);
    case 'raw-postgres':
      return rawPostgresPager(target);
    case 'emmett-postgres':
      return emmettPostgresPager(target);
    default:
      throw new Error(`no gap check for ${subject}`);
  }
}

function replay(subject: SubjectId, source: string, capMs: number, round: number): Promise<ReplayOutcome> {
  switch (subject) {
    case 'zerotouch-sqlite':
      return zerotouchSqliteReplay(source, round, progress);
    case 'raw-sqlite':
    case 'raw-sqlite-grouped':
      return rawSqliteScan(source, capMs, progress);
    case 'emmett-sqlite':
      return emmettSqliteReplay(source, capMs, progress);
    case 'zerotouch-postgres':
      return zerotouchPostgresReplay(source, round, progress);
    case 'raw-postgres':
      return rawPostgresScan(source, capMs, progress);
    case 'emmett-postgres':
      return emmettPostgresReplay(source, capMs, progress);
  }
}

/** Appends and batches: acknowledged appends are checked against what the store holds afterwards. */
async function measureWrites(spec: Extract<ChildSpec, { kind: 'appends' | 'batches' }>): Promise<ChildResult> {
  const place = await freshPlace(spec.subject);
  try {
    const app = await appender(spec.subject, place.target);
    let outcome: WorkloadOutcome;
    let gap: ChildResult['gap'];
    let stored: number;
    try {
      const work = (): Promise<WorkloadOutcome> =>
        spec.kind === 'appends'
          ? runWriters(app, { writers: spec.writers, total: spec.total, capMs: spec.capMs, progress })
          : runBatches(app, { batchSize: spec.batchSize, total: spec.total, capMs: spec.capMs, progress });
      if (spec.kind === 'appends' && spec.gapCheck) {
        const checked = await withGapReader(() => pager(spec.subject, place.target), () => app.storedCount(), work);
        outcome = checked.result;
        gap = checked.gap;
        stored = checked.stored;
      } else {
        outcome = await work();
        stored = await app.storedCount();
      }
    } finally {
      await app.close().catch(() => {});
    }
    const failures = { ...outcome.failures, ...stray };
    if (outcome.unanswered > 0) failures[`appends never answered (gave up waiting ${outcome.unanswered})`] = outcome.unanswered;
    const notes: string[] = [];
    const acknowledged = outcome.acknowledged; // events, in both workloads
    if (stored < acknowledged) notes.push(`${acknowledged - stored} acknowledged events not stored`);
    if (stored > acknowledged) notes.push(`${stored - acknowledged} events stored without an acknowledgement`);
    const events = Math.min(acknowledged, stored);
    return {
      events,
      ms: outcome.ms,
      rate: events / (outcome.ms / 1000),
      maxRssMB: maxRssMB(),
      acknowledged,
      stored,
      failures,
      capped: outcome.capped,
      ...(gap ? { gap } : {}),
      notes,
    };
  } finally {
    await place.dispose().catch(() => {});
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '') as ChildSpec;
  switch (spec.kind) {
    case 'appends':
    case 'batches':
      await send({ kind: 'result', result: await measureWrites(spec) });
      return;
    case 'seed': {
      const started = performance.now();
      if (spec.family === 'zt-sqlite') await seedZerotouchSqlite(spec.target, spec.events, progress);
      else if (spec.family === 'emmett-sqlite') await seedEmmettSqlite(spec.target, spec.events, progress);
      else if (spec.family === 'zt-postgres') await seedZerotouchPostgres(spec.target, spec.events, progress);
      else await seedEmmettPostgres(spec.target, spec.events, progress);
      const ms = performance.now() - started;
      await send({ kind: 'result', result: { events: spec.events, ms, rate: spec.events / (ms / 1000), maxRssMB: maxRssMB() } });
      return;
    }
    case 'replay': {
      const out = await replay(spec.subject, spec.source, spec.capMs, spec.round);
      const notes = [...out.notes];
      if (!out.capped && out.events !== spec.expected) notes.push(`replayed ${out.events} of ${spec.expected} events`);
      const failures = { ...stray };
      await send({
        kind: 'result',
        result: {
          events: out.events,
          ms: out.ms,
          rate: out.events / (out.ms / 1000),
          maxRssMB: maxRssMB(),
          capped: out.capped,
          counts: out.counts,
          failures,
          notes,
        },
      });
      return;
    }
  }
}

// peers may leave timers and pools behind: once the answer is sent, the process ends
main().then(
  () => process.exit(0),
  async (error: unknown) => {
    await send({ kind: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  },
);
