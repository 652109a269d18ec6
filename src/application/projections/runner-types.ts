/** The shapes of the projection runner (runner.ts): its options, what it reports, what it keeps per projection. */
import type { Checkpoint } from '../ports/read-model-store';
import type { DocumentCache } from './document-cache';
import type { Projection } from './projection';
import type { CaughtUpOptions } from '../ports/projection-waiter';

export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  /** the version that built the live read model (differs from `version` until a rebuild) */
  readonly liveVersion: number | null;
  readonly generation: number | null;
  readonly position: number;
  readonly head: number;
  /** global positions between the checkpoint and the head */
  readonly behind: number;
  readonly rebuilding: { readonly generation: number; readonly position: number } | null;
  readonly updatedAt: string | null;
}

export interface RunnerLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  /** re-read at least this often without a wake-up (appends by other processes) */
  readonly pollIntervalMs?: number;
  readonly logger?: RunnerLogger;
  /** rebuild, in the background, read models built by another projection version (default true) */
  readonly autoRebuild?: boolean;
  /** how often a checkpoint moved only by skipped events is written (default 1,000 ms) */
  readonly checkpointEveryMs?: number;
  /**
   * On a store several processes share: whether this process holds the lease of a
   * projection (taking it when free). A projection runs here only while it does; a wait
   * for one that runs elsewhere reads its shared checkpoint. Default: every projection runs here.
   */
  readonly lease?: (projection: string) => Promise<boolean>;
  /** how often a wait for a projection that runs on another process reads its checkpoint (default 5 ms: the waits are requests' read-your-writes, and a tick is one cheap read for all of them) */
  readonly sharedPollMs?: number;
  /**
   * after a wake-up, wait this long before reading, so that the appends of a busy moment
   * are applied (and committed) together rather than one transaction each (default 10 ms)
   */
  readonly coalesceMs?: number;
  /**
   * told when a step of the live reader starts (before it reads) and when it has ended
   * (`idle`: it found nothing to read); a projection thread publishes them to its server
   */
  readonly onStep?: { started(step: number): void; ended(step: number, idle: boolean): void };
  /**
   * documents each live projection keeps from its recent reads and commits, so its next
   * batches need not read them again (document-cache.ts): at least the last 1,000 used by default (at most twice that), 0 keeps none
   */
  readonly documentCacheEntries?: number;
}

export type StepOutcome = 'advanced' | 'idle' | 'conflict';

/**
 * What the rest of a server asks of its projections, wherever they run: in its event loop
 * (ProjectionRunner) or in a worker thread of their own (adapters/server/projection-thread.ts).
 */
export interface ProjectionService {
  names(): string[];
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Resolves once every projection (or the one named) has applied the events up to
   * `position` (default: the head at call time), or found the end of the log after the call.
   */
  caughtUp(options?: CaughtUpOptions): Promise<void>;
  /** true when no running projection is more than `tolerance` positions behind the head */
  isCaughtUp(tolerance?: number): Promise<boolean>;
  status(): Promise<ProjectionStatus[]>;
  /** replay into a fresh generation beside the live read model, then swap it in */
  rebuild(name: string, onProgress?: (position: number, head: number) => void): Promise<void>;
}

export interface Waiter {
  readonly target: number;
  /** one projection, or all */
  readonly name: string | undefined;
  readonly afterStep: number;
  readonly resolve: () => void;
}

export interface Live {
  readonly projection: Projection;
  readonly types: ReadonlySet<string>;
  /** the checkpoint as stored (undefined before the first commit) */
  stored: Pick<Checkpoint, 'generation' | 'position'> | undefined;
  generation: number;
  /** how far this process has applied the log (ahead of `stored` by skipped events only) */
  position: number;
  /** when `position` first moved past `stored` without a write */
  dirtySince: number | undefined;
  /** read the stored checkpoint again before the next batch (a lost race, a promote) */
  reload: boolean;
  failures: number;
  retryAt: number;
  /** runs in this process (holds its lease, or no leases) */
  active: boolean;
  /** its documents as of `stored`, read or committed here (emptied whenever that may no longer hold) */
  readonly docs: DocumentCache;
}

