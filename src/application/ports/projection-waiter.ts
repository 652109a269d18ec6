/** What a wait for the projections names: how far, and what the caller knows of the event there. */
export interface CaughtUpOptions {
  /** one projection (default: all) */
  readonly name?: string;
  /** the log position to include (default: the head at call time) */
  readonly position?: number;
  /**
   * the type of the event at `position`, where the caller knows it (its own last event): a
   * projection that reads that type has included `position` only once its checkpoint is
   * there, so a node that does not run it waits on the checkpoint alone, without looking
   * through the log for events it skips
   */
  readonly lastType?: string;
  /** fail after this long (default: wait as long as it takes) */
  readonly timeoutMs?: number;
}

/** Waits until the projections have applied the log up to a position (a handler's own write). */
export interface ProjectionWaiter {
  /** resolves once the projection (or all) applied the events up to `position` (default: the head) */
  caughtUp(options?: CaughtUpOptions): Promise<void>;
}
