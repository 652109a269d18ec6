/** The ports every Users handler and query works on. */
import type * as E from 'fp-ts/Either';
import type { DomainError, DomainEvent } from '../../domain';
import { handle, type Aggregate, type Handled } from '../command-handler';
import type { PartDeps } from '../part-deps';
import { awaitOwnWrite, type OwnWrite } from '../own-write';
import type { DevicesApps } from './devices-port';
import { DIRECTORY } from './projections/directory';
import { PHONES } from './projections/phones';
import { ROLLOUTS } from './projections/rollouts';

export interface UsersDeps extends PartDeps {
  readonly devices: DevicesApps;
}

/** The latest of several global positions (undefined when nothing was written). */
export const latestPosition = (positions: ReadonlyArray<number | undefined>): number | undefined =>
  positions.reduce<number | undefined>((max, p) => (p === undefined ? max : max === undefined ? p : Math.max(max, p)), undefined);

export { nowOf } from '../ports/clock';

/** Users' read models: what a client reads right after its own write. */
export const USERS_READ_MODELS = [DIRECTORY, PHONES, ROLLOUTS] as const;

/** Resolves once Users' read models include the write (at once when it wrote nothing). */
export const settle = (deps: Pick<UsersDeps, 'projections'>, written: OwnWrite): Promise<void> => awaitOwnWrite(deps, USERS_READ_MODELS, written);

/** An admin's command on one Users stream: decided and appended (retried on a conflict) with the admin as the events' actor. */
export const asAdmin = <Command, Event extends DomainEvent, State>(
  deps: Pick<UsersDeps, 'events' | 'random'>,
  streamName: string,
  aggregate: Aggregate<Command, Event, State>,
  command: Command,
): Promise<E.Either<DomainError, Handled<Event, State>>> => handle(deps.events, streamName, aggregate, command, { random: deps.random, metadata: { actor: 'admin' } });
