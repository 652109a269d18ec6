/**
 * Read-your-writes on a node that does not run a projection (another node holds its
 * lease): the projection has applied the log up to `target` once its stored checkpoint is
 * there, or once no event between that checkpoint and `target` is of a type it reads (the
 * holder moves the checkpoint past skipped events only now and then). Polled, so it works
 * whatever the store can signal.
 *
 * The waits for one projection share one poll: a tick reads the stored checkpoint once and
 * scans the log after it once, up to the furthest target waited for, and answers every
 * wait it covers. Sixty-four requests waiting on another node cost one checkpoint read a
 * tick, not sixty-four.
 *
 * A wait whose target is an event of the projection's own types (a handler's own write, as
 * it says) can only be answered by the checkpoint: the first such event after the
 * checkpoint is at most the target itself, so the log between them holds no answer. While
 * every wait of a projection is of that kind, a tick reads the checkpoint alone.
 */
import type { EventStore } from '../ports/event-store';
import { MAX_READ_TYPES } from '../ports/event-store-checks';
import type { ReadModelStore } from '../ports/read-model-store';
import type { Projection } from './projection';

const PAGE = 500;

/**
 * How far the shared read model of `projection` is known to include the log, looking no
 * further than `upTo`: its stored checkpoint, or the position before the first event after
 * it that the projection reads (`upTo` when there is none up to there).
 */
export async function sharedReach(store: EventStore, readModels: ReadModelStore, projection: Projection, upTo: number): Promise<number> {
  const stored = await readModels.checkpoint(projection.name, 'live');
  const position = stored?.position ?? 0;
  if (position >= upTo || stored === undefined || stored.version !== projection.version) return position;
  const types = new Set(projection.eventTypes);
  // only its types come back (the store leaves the rest where it is), where it reads few enough to name
  const typed = types.size > 0 && types.size <= MAX_READ_TYPES ? { types: [...types] } : {};
  let after = position;
  // the events it has not applied yet: up to the first of its types, nothing for it to change
  while (after < upTo) {
    const page = await store.readAll({ after, limit: PAGE, ...typed });
    for (const event of page.events) {
      if (event.globalPosition > upTo) return upTo;
      if (types.has(event.type)) return event.globalPosition - 1;
    }
    if (page.covered < PAGE) return upTo;
    after = page.position;
  }
  return upTo;
}

/** how far a wait must see the projection, and whether the event there is of the projection's types */
export interface RemoteTarget {
  readonly target: number;
  readonly typed: boolean;
}

interface RemoteWait extends RemoteTarget {
  readonly done: () => boolean;
  readonly resolve: () => void;
}

/** The waits of one node for projections that run elsewhere, one poll per projection. */
export class SharedCheckpointWaits {
  private readonly waits = new Map<string, RemoteWait[]>();

  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly intervalMs: number,
  ) {}

  /** resolves once the shared read model includes `target`, or `done()` (the caller stops waiting) */
  wait(projection: Projection, { target, typed }: RemoteTarget, done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const waits = this.waits.get(projection.name);
      if (waits) return void waits.push({ target, typed, done, resolve });
      this.waits.set(projection.name, [{ target, typed, done, resolve }]);
      void this.poll(projection);
    });
  }

  private async poll(projection: Projection): Promise<void> {
    for (;;) {
      const waits = this.waits.get(projection.name)!;
      const reach = await this.reach(projection, waits).catch(() => 0);
      // `waits` also holds the waits that came during the read: any the reach covers are answered too
      const left = waits.filter((w) => {
        if (w.target > reach && !w.done()) return true;
        w.resolve();
        return false;
      });
      if (left.length === 0) {
        this.waits.delete(projection.name);
        return;
      }
      this.waits.set(projection.name, left);
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
  }

  /** the checkpoint alone while every wait is of the projection's types, else the log after it too */
  private async reach(projection: Projection, waits: readonly RemoteWait[]): Promise<number> {
    const upTo = Math.max(...waits.map((w) => w.target));
    if (waits.some((w) => !w.typed)) return sharedReach(this.store, this.readModels, projection, upTo);
    return (await this.readModels.checkpoint(projection.name, 'live'))?.position ?? 0;
  }
}
