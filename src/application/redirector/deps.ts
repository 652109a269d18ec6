/**
 * What the Redirector's command handlers and queries need: the ports, nothing else. A
 * server's part context has every one of them under these names, so other parts'
 * composition can hand their context over as it is.
 */
import type { PartDeps } from '../part-deps';
import type { EventMetadata } from '../ports/event-store';

/** the Redirector needs the ports every part has, nothing of its own */
export type RedirectorDeps = PartDeps;

/** Who asked, for the events' metadata. */
export type Actor = 'operator' | 'system' | `installation:${string}` | `phone:${string}`;

export const metadataOf = (actor: Actor): EventMetadata => ({ actor });

export { nowOf } from '../ports/clock';
export type { ProjectionWaiter } from '../ports/projection-waiter';
