/**
 * The scheduler port on the process's timers: the periodic work of a part (purges, flushes,
 * sweeps) runs every `ms`, one run at a time, and a failed run is logged and tried again at
 * the next tick. `stop` ends the timers and waits for the runs under way.
 *
 * Work named with a lease (purges, the judge of waves: what must run once across the nodes
 * of one database) runs only on the node that holds the lease at the tick; when that node
 * dies its lease frees and the next tick of another node takes it.
 */
import type { Logger } from 'pino';
import { localLeases, type Leases } from '../../application/ports/leases';
import type { Scheduler } from '../../application/ports/scheduler';

export class BackgroundWork implements Scheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly leases: Leases = localLeases,
  ) {}

  /** run `work` every `ms` (and at once when `now` is set); with `lease`, only while this node holds it */
  every(ms: number, work: () => Promise<unknown>, what: string, options: { readonly now?: boolean; readonly lease?: string } = {}): void {
    let busy = false;
    const lease = options.lease;
    const run = (): void => {
      if (busy || this.stopped) return;
      busy = true;
      const done = (lease === undefined ? work() : this.leases.hold(lease).then((held) => (held && !this.stopped ? work() : undefined)))
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
