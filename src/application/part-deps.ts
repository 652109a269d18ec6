/**
 * The ports every part's handlers and queries work on, under these names. A server's part
 * context has each of them, so one part's composition can hand its context to another as
 * it is; a part adds only what is its own.
 */
import type { Clock } from './ports/clock';
import type { EventStore } from './ports/event-store';
import type { ProjectionWaiter } from './ports/projection-waiter';
import type { Random } from './ports/random';
import type { ReadModelStore } from './ports/read-model-store';
import type { Secrets } from './ports/secrets';

export interface PartDeps {
  readonly events: EventStore;
  readonly readModels: ReadModelStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly secrets: Secrets;
  /** the read models' progress, for read-your-writes */
  readonly projections: ProjectionWaiter;
}
