/**
 * Read-your-writes on a node that does not run a projection (another node holds its
 * lease): the projection has applied the log up to `target` once its stored checkpoint is
 * there, or once no event between that checkpoint and `target` is of a type it reads (the
 * holder moves the checkpoint past skipped events only now and then). Polled, so it works
 * whatever the store can signal.
 */
import type { EventStore } from '../ports/event-store';
import type { ReadModelStore } from '../ports/read-model-store';
import type { Projection } from './projection';

const PAGE = 500;

/** true once the shared read model of `projection` includes every event up to `target` */
export async function sharedCheckpointReached(store: EventStore, readModels: ReadModelStore, projection: Projection, target: number): Promise<boolean> {
  const stored = await readModels.checkpoint(projection.name, 'live');
  const position = stored?.position ?? 0;
  if (position >= target) return true;
  if (stored === undefined || stored.version !== projection.version) return false;
  const types = new Set(projection.eventTypes);
  let after = position;
  // the events it has not applied yet: none of its types means nothing for it to change
  while (after < target) {
    const page = await store.readAll({ after, limit: PAGE });
    for (const event of page.events) {
      if (event.globalPosition > target) return true;
      if (types.has(event.type)) return false;
    }
    if (page.events.length < PAGE) return true;
    after = page.position;
  }
  return true;
}

export interface PollOptions {
  readonly intervalMs: number;
  /** stop waiting (the runner stops, the caller timed out, or the projection now runs here) */
  readonly done: () => boolean;
}

/** wait until `reached()` or `done()` */
export async function pollUntil(reached: () => Promise<boolean>, options: PollOptions): Promise<void> {
  while (!options.done()) {
    if (await reached().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}
