/**
 * What the Devices handlers, queries and background processes need: the ports and a few
 * settings. A server's part context provides the ports under these names.
 */
import type { Clock } from '../ports/clock';
import type { ProjectionWaiter } from '../ports/projection-waiter';
import type { EventMetadata, EventStore } from '../ports/event-store';
import type { Random } from '../ports/random';
import type { ReadModelStore } from '../ports/read-model-store';
import type { Secrets } from '../ports/secrets';
import type { OfferCache } from './offer-cache';
import type { Presence } from './presence';
import type { RedirectorClient } from './redirector';

export interface DevicesSettings {
  /** how often phones check in (SPEC §5.1 `pollSeconds`) */
  readonly pollSeconds: number;
  /** this Devices' own base URL, handed to the Redirector with every code */
  readonly publicUrl: string;
}

export interface DevicesDeps {
  readonly events: EventStore;
  readonly readModels: ReadModelStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly secrets: Secrets;
  readonly projections: ProjectionWaiter;
  readonly redirector: RedirectorClient;
  readonly presence: Presence;
  /** the check-in's offer inputs, from the read models, kept for a moment */
  readonly offers: OfferCache;
  readonly settings: DevicesSettings;
}

/** Who acted, for the events' metadata. */
export type Actor = 'admin:global' | `admin:${string}` | 'system' | `phone:${string}` | `users:${string}`;

export const metadataOf = (actor: Actor): EventMetadata => ({ actor });

/** How long a handler waits for its own write to reach a read model before it answers anyway. */
export const OWN_WRITE_TIMEOUT_MS = 5_000;

/**
 * Wait until the projection `name` has applied the events up to `position` (a handler's own
 * write), so the phone's next request, or the caller's next read, sees it. Answers anyway
 * after a while: read models may trail, and the write itself is done.
 */
export const awaitOwnWrite = async (deps: Pick<DevicesDeps, 'projections'>, name: string, position: number | undefined): Promise<void> => {
  if (position === undefined) return;
  await deps.projections.caughtUp({ name, position, timeoutMs: OWN_WRITE_TIMEOUT_MS }).catch(() => undefined);
};

export { nowOf } from '../ports/clock';
export type { ProjectionWaiter } from '../ports/projection-waiter';
