/**
 * Runs the purge of due codes once at start and then every `intervalMs` (a minute by
 * default), one pass at a time. The time each pass decides with comes from the clock port.
 * With `mayRun` (the lease of the purge, on a store several nodes share) a tick passes only
 * where it answers true, so one node purges at a time.
 */
import type { RedirectorDeps } from './deps';
import { purgeExpiredCodes } from './purge-expired';
import type { PurgeResult } from './purge-codes';

export interface ExpirySchedulerOptions {
  readonly intervalMs?: number;
  readonly onPass?: (result: PurgeResult) => void;
  readonly onError?: (error: unknown) => void;
  /** asked before each scheduled pass; default: always */
  readonly mayRun?: () => Promise<boolean>;
}

export class ExpiryScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PurgeResult | undefined> | undefined;
  private stopped = true;
  private readonly intervalMs: number;

  constructor(
    private readonly deps: RedirectorDeps,
    private readonly options: ExpirySchedulerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 60_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.tick();
  }

  /** one pass now (or the one under way); undefined when it failed */
  runOnce(): Promise<PurgeResult | undefined> {
    this.running ??= purgeExpiredCodes(this.deps)
      .then(
        (result) => {
          this.options.onPass?.(result);
          return result;
        },
        (error: unknown) => {
          this.options.onError?.(error);
          return undefined;
        },
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  /** no further passes; resolves when the pass under way has finished */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async tick(): Promise<void> {
    const may = await (this.options.mayRun?.() ?? Promise.resolve(true)).catch(() => false);
    if (may && !this.stopped) await this.runOnce();
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.intervalMs);
  }
}
