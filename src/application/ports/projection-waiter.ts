/** What a wait for the projections names: how far, and what the caller knows of the event there. */
export interface CaughtUpOptions {
  /** one projection (default: all) */
  readonly name?: string;
  /** the log position to include (default: the head at call time) */
  readonly position?: number;
  /** what the caller knows of the events up to `position`: its own write, which ends there */
  readonly written?: WrittenTypes;
  /** fail after this long (default: wait as long as it takes) */
  readonly timeoutMs?: number;
}

/**
 * The event types of a write that ends at the position waited for. A projection that reads
 * none of them has nothing of the write to include: the wait for it ends at once. One that
 * reads the type of the last event has included the write only once its checkpoint is
 * there, so a node that does not run it waits on that checkpoint alone, without looking
 * through the log for events it skips.
 */
export interface WrittenTypes {
  /** the type of the event at the position */
  readonly last: string;
  /** the types of all the write's events */
  readonly all: readonly string[];
}

/** How a wait for `projection` is helped by what the caller wrote: not needed, answered by the checkpoint, or neither. */
export function writtenFor(projection: { readonly eventTypes: readonly string[] }, written: WrittenTypes | undefined): 'none' | 'last' | 'unknown' {
  if (written === undefined) return 'unknown';
  if (!written.all.some((type) => projection.eventTypes.includes(type))) return 'none';
  return projection.eventTypes.includes(written.last) ? 'last' : 'unknown';
}

/** Waits until the projections have applied the log up to a position (a handler's own write). */
export interface ProjectionWaiter {
  /** resolves once the projection (or all) applied the events up to `position` (default: the head) */
  caughtUp(options?: CaughtUpOptions): Promise<void>;
}
