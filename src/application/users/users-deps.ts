/** The ports every Users handler and query works on. */
import type { Clock } from '../ports/clock';
import type { EventStore } from '../ports/event-store';
import type { Random } from '../ports/random';
import type { ReadModelStore } from '../ports/read-model-store';
import type { Secrets } from '../ports/secrets';
import type { DevicesApps } from './devices-port';

export interface UsersDeps {
  readonly events: EventStore;
  readonly readModels: ReadModelStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly secrets: Secrets;
  readonly devices: DevicesApps;
  /**
   * Resolves once Users' read models include the event at `position` (or at once for
   * undefined), so a client reads its own write right after the answer.
   */
  readonly settle: (position: number | undefined) => Promise<void>;
}

/** The latest of several global positions (undefined when nothing was written). */
export const latestPosition = (positions: ReadonlyArray<number | undefined>): number | undefined =>
  positions.reduce<number | undefined>((max, p) => (p === undefined ? max : max === undefined ? p : Math.max(max, p)), undefined);

export { nowOf } from '../ports/clock';
