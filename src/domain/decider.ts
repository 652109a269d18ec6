/**
 * The shape of every aggregate: a pure decider. `decide` answers a command, given the
 * state folded from the aggregate's events, with either a domain error or new events;
 * `evolve` folds one event into the state. No I/O, no clock, no randomness: whatever a
 * decision needs from the world (the time, a random secret, a hash) arrives in the command.
 */
import type { Either } from 'fp-ts/Either';

/** The stable tokens of SPEC §3, as far as the domain decides them. */
export type DomainErrorCode =
  | 'validation-failed'
  | 'unknown-code'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'device-owned-by-other-domain';

export interface DomainError {
  readonly code: DomainErrorCode;
  readonly detail: string;
}

export const domainError = (code: DomainErrorCode, detail: string): DomainError => ({ code, detail });

/** A domain event: a type tag and a JSON-safe payload. Ids and metadata are added by the application. */
export interface DomainEvent<Type extends string = string, Data extends object = object> {
  readonly type: Type;
  readonly data: Data;
}

export interface Decider<Command, Event extends DomainEvent, State> {
  readonly decide: (command: Command, state: State) => Either<DomainError, readonly Event[]>;
  readonly evolve: (state: State, event: Event) => State;
  readonly initialState: State;
}

/** Fold a history into a state. */
export const fold = <Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>,
  events: readonly Event[],
): State => events.reduce(decider.evolve, decider.initialState);
