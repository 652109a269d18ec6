/**
 * What the Redirector's command handlers and queries need: the ports, nothing else. A
 * server's part context has every one of them under these names, so other parts'
 * composition can hand their context over as it is.
 */
import { timestampFromMillis, type Timestamp } from '../../domain';
import type { Clock } from '../ports/clock';
import type { EventMetadata, EventStore } from '../ports/event-store';
import type { Random } from '../ports/random';
import type { ReadModelStore } from '../ports/read-model-store';
import type { Secrets } from '../ports/secrets';

/** Waits until the projections have applied the log up to a position. */
export interface ProjectionWaiter {
  caughtUp(options?: { name?: string; position?: number; timeoutMs?: number }): Promise<void>;
}

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

/** The time of a decision, from the clock port. */
export const nowOf = (clock: Clock): Timestamp => timestampFromMillis(clock.now().getTime());
