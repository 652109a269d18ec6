/** Waits until the projections have applied the log up to a position (a handler's own write). */
export interface ProjectionWaiter {
  /** resolves once the projection (or all) applied the events up to `position` (default: the head) */
  caughtUp(options?: { name?: string; position?: number; timeoutMs?: number }): Promise<void>;
}
