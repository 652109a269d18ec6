/** The ports every Users handler and query works on. */
import { awaitOwnWrite } from '../own-write';
import type { Clock } from '../ports/clock';
import type { ProjectionWaiter } from '../ports/projection-waiter';
import type { EventStore } from '../ports/event-store';
import type { Random } from '../ports/random';
import type { ReadModelStore } from '../ports/read-model-store';
import type { Secrets } from '../ports/secrets';
import type { DevicesApps } from './devices-port';
import { DIRECTORY } from './projections/directory';
import { PHONES } from './projections/phones';
import { ROLLOUTS } from './projections/rollouts';

export interface UsersDeps {
  readonly events: EventStore;
  readonly readModels: ReadModelStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly secrets: Secrets;
  readonly devices: DevicesApps;
  /** the read models' progress, for read-your-writes (`settle`) */
  readonly projections: ProjectionWaiter;
}

/** The latest of several global positions (undefined when nothing was written). */
export const latestPosition = (positions: ReadonlyArray<number | undefined>): number | undefined =>
  positions.reduce<number | undefined>((max, p) => (p === undefined ? max : max === undefined ? p : Math.max(max, p)), undefined);

export { nowOf } from '../ports/clock';

/** Users' read models: what a client reads right after its own write. */
export const USERS_READ_MODELS = [DIRECTORY, PHONES, ROLLOUTS] as const;

/** Resolves once Users' read models include the event at `position` (or at once for undefined). */
export const settle = (deps: Pick<UsersDeps, 'projections'>, position: number | undefined): Promise<void> => awaitOwnWrite(deps, USERS_READ_MODELS, position);
