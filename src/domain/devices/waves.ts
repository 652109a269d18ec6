/**
 * Staged update waves (SPEC §5.4). A job's waves are cumulative percentages of the phones
 * it matches, e.g. `[1, 10, 100]`. Each phone falls in a fixed bucket 0..9999 per job
 * (a pure hash of job id and MAC, so the same phones go first on every node and after
 * every restart); a phone is in the open wave while its bucket is below the open wave's
 * percentage × 100. A wave advances once it is complete (every phone it added has
 * reported) and its failure rate is under the job's threshold; otherwise the job halts.
 */
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import type { DomainError } from '../decider';
import type { Id } from '../values/id';
import type { Mac } from '../values/mac';
import { fnv1a32 } from '../values/hash';
import { invalid } from '../values/refuse';

export const BUCKETS = 10_000;
export const DEFAULT_WAVES: readonly number[] = [100];
export const DEFAULT_FAILURE_THRESHOLD = 0.1;
export const MAX_WAVES = 10;

/** A phone's fixed place in a job's rollout order, 0..9999. */
export const waveBucket = (mac: Mac, jobId: Id): number => fnv1a32(`${jobId}/${mac}`) % BUCKETS;

/** The buckets below this bound are in the wave. */
const bound = (percent: number): number => Math.round(percent * (BUCKETS / 100));

/** The index of the wave a phone falls in (its bucket is below that wave's bound). */
export const waveOf = (waves: readonly number[], mac: Mac, jobId: Id): number => {
  const bucket = waveBucket(mac, jobId);
  const index = waves.findIndex((percent) => bucket < bound(percent));
  return index === -1 ? waves.length - 1 : index;
};

export interface WavedJob {
  readonly jobId: Id;
  readonly waves: readonly number[];
  /** index into `waves` of the wave open now */
  readonly openWave: number;
  readonly status: string;
}

/** May the job's firmware be offered to this phone now? Only while the job runs, and only inside the open wave. */
export const inOpenWave = (job: WavedJob, mac: Mac): boolean => {
  if (job.status !== 'running') return false;
  const percent = job.waves[job.openWave];
  return percent !== undefined && waveBucket(mac, job.jobId) < bound(percent);
};

/** Validate cumulative wave percentages: 1 to 10, increasing, each in (0, 100] with at most 2 decimals, the last 100. */
export const parseWaves = (input: readonly number[] | undefined): E.Either<DomainError, readonly number[]> => {
  const waves = input ?? DEFAULT_WAVES;
  if (waves.length === 0 || waves.length > MAX_WAVES) return invalid(`an update job has 1 to ${MAX_WAVES} waves`);
  for (const [i, percent] of waves.entries()) {
    if (!Number.isFinite(percent) || percent <= 0 || percent > 100 || Math.abs(percent * 100 - Math.round(percent * 100)) > 1e-9) {
      return invalid('a wave is a percentage above 0 and at most 100, with at most 2 decimals');
    }
    if (i > 0 && percent <= (waves[i - 1] ?? 0)) return invalid('waves are cumulative percentages and must increase');
  }
  return waves[waves.length - 1] === 100 ? E.right([...waves]) : invalid('the last wave is 100 (every phone)');
};

/** Validate a failure threshold: a rate above 0 and at most 1. */
export const parseFailureThreshold = (input: number | undefined): E.Either<DomainError, number> => {
  const threshold = input ?? DEFAULT_FAILURE_THRESHOLD;
  return Number.isFinite(threshold) && threshold > 0 && threshold <= 1
    ? E.right(threshold)
    : invalid('a failure threshold is a rate above 0 and at most 1');
};

/** What a wave's phones did: how many it added, how many of them applied the update, how many failed. */
export interface WaveStats {
  readonly targets: number;
  readonly applied: number;
  readonly failed: number;
}

export const parseWaveStats = (stats: WaveStats): E.Either<DomainError, WaveStats> =>
  [stats.targets, stats.applied, stats.failed].every((n) => Number.isSafeInteger(n) && n >= 0)
    ? E.right(stats)
    : invalid('wave counts are whole numbers, 0 or more');

/** failed / (applied + failed); 0 when nothing has reported. */
export const failureRate = (stats: WaveStats): number => {
  const reported = stats.applied + stats.failed;
  return reported === 0 ? 0 : stats.failed / reported;
};

export type WaveVerdict = 'wait' | 'advance' | 'halt';

/** Wait while the wave is incomplete; then advance under the threshold and halt at or above it. */
export const waveVerdict = (stats: WaveStats, failureThreshold: number): WaveVerdict => {
  if (stats.applied + stats.failed < stats.targets) return 'wait';
  return failureRate(stats) < failureThreshold ? 'advance' : 'halt';
};

/** A number codec with a rule, for stored events. */
const numberWhere = (name: string, ok: (n: number) => boolean): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && ok(u),
    (u, c) => (typeof u === 'number' && ok(u) ? t.success(u) : t.failure(u, c, name)),
    t.identity,
  );

export const Waves = new t.Type<number[], number[], unknown>(
  'Waves',
  (u): u is number[] => Array.isArray(u) && u.every((n) => typeof n === 'number') && E.isRight(parseWaves(u)),
  (u, c) =>
    Array.isArray(u) && u.every((n) => typeof n === 'number') && E.isRight(parseWaves(u))
      ? t.success([...u])
      : t.failure(u, c, 'increasing cumulative percentages ending at 100'),
  t.identity,
);
export const WaveIndex = numberWhere('a wave index', (n) => Number.isSafeInteger(n) && n >= 0 && n < MAX_WAVES);
export const Percent = numberWhere('a percentage in (0, 100]', (n) => Number.isFinite(n) && n > 0 && n <= 100);
export const FailureThreshold = numberWhere('a rate in (0, 1]', (n) => Number.isFinite(n) && n > 0 && n <= 1);
export const Rate = numberWhere('a rate in [0, 1]', (n) => Number.isFinite(n) && n >= 0 && n <= 1);
