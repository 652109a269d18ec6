/**
 * What the Redirector's command handlers and queries need: the ports, nothing else. A
 * server's part context has every one of them under these names, so other parts'
 * composition can hand their context over as it is.
 */
import type { Clock } from '../ports/clock';
import type { ProjectionWaiter } from '../ports/projection-waiter';
import type { EventMetadata, EventStore } from '../ports/event-store';
import type { Random } from '../ports/random';
import type { ReadModelStore } from '../ports/read-model-store';
import type { Secrets } from '../ports/secrets';

export interface RedirectorDeps {
  readonly events: EventStore;
  readonly readModels: ReadModelStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly secrets: Secrets;
  readonly projections: ProjectionWaiter;
}

/** Who asked, for the events' metadata. */
export type Actor = 'operator' | 'system' | `installation:${string}` | `phone:${string}`;

export const metadataOf = (actor: Actor): EventMetadata => ({ actor });

export { nowOf } from '../ports/clock';
export type { ProjectionWaiter } from '../ports/projection-waiter';
