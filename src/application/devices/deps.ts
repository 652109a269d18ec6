/**
 * What the Devices handlers, queries and background processes need: the ports and a few
 * settings. A server's part context provides the ports under these names.
 */
import type { PartDeps } from '../part-deps';
import type { EventMetadata } from '../ports/event-store';
import type { OfferCache } from './offer-cache';
import type { Presence } from './presence';
import type { RedirectorClient } from './redirector';

export interface DevicesSettings {
  /** how often phones check in (SPEC §5.1 `pollSeconds`) */
  readonly pollSeconds: number;
  /** this Devices' own base URL, handed to the Redirector with every code */
  readonly publicUrl: string;
}

export interface DevicesDeps extends PartDeps {
  readonly redirector: RedirectorClient;
  readonly presence: Presence;
  /** the check-in's offer inputs, from the read models, kept for a moment */
  readonly offers: OfferCache;
  readonly settings: DevicesSettings;
}

/** Who acted, for the events' metadata. */
export type Actor = 'admin:global' | `admin:${string}` | 'system' | `phone:${string}` | `users:${string}`;

export const metadataOf = (actor: Actor): EventMetadata => ({ actor });

export { awaitOwnWrite, OWN_WRITE_TIMEOUT_MS } from '../own-write';
export { nowOf } from '../ports/clock';
export type { ProjectionWaiter } from '../ports/projection-waiter';
