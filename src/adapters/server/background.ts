/**
 * The periodic work of a part (purges, flushes, sweeps): each job runs every `ms`, one run
 * at a time, and a failed run is logged and tried again at the next tick. `stop` ends the
 * timers and waits for the runs under way.
 */
import type { Logger } from 'pino';

export class BackgroundWork {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly logger: Pick<Logger, 'warn'>) {}

  /** run `work` every `ms` (and at once when `now` is set) */
  every(ms: number, work: () => Promise<unknown>, what: string, options: { readonly now?: boolean } = {}): void {
    let busy = false;
    const run = (): void => {
      if (busy || this.stopped) return;
      busy = true;
      const done = work()
        .then(
          () => undefined,
          (error: unknown) => this.logger.warn({ err: error }, `${what} failed; trying again later`),
        )
        .finally(() => {
          busy = false;
          this.running.delete(done);
        });
      this.running.add(done);
    };
    const timer = setInterval(run, ms);
    timer.unref();
    this.timers.push(timer);
    if (options.now) run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    await Promise.all(this.running);
  }
}
