/**
 * Scheduled work (code expiry and purges, the judge of waves, presence flushes): one port
 * for every part. Work runs every `ms`, one run at a time; a failed run is logged and tried
 * again at the next tick. Work named with a lease runs only on the node that holds it, so
 * what must happen once across the nodes of one database happens once.
 */
export interface Scheduler {
  /** run `work` every `ms` (and at once when `now` is set); with `lease`, only while this node holds it */
  every(ms: number, work: () => Promise<unknown>, what: string, options?: { readonly now?: boolean; readonly lease?: string }): void;
  /** no further runs; resolves when the runs under way have finished */
  stop(): Promise<void>;
}
