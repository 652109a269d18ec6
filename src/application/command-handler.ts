/**
 * The one way commands reach the event log: read the aggregate's stream, fold it, let
 * the decider answer, append the events expecting the version that was read; on a
 * concurrency conflict read again and decide again (a bounded number of times).
 */
import * as E from 'fp-ts/Either';
import type { Decider, DomainError, DomainEvent } from '../domain/decider';
import { WrongExpectedVersionError, type EventMetadata, type EventStore, type JsonObject, type RecordedEvent } from './ports/event-store';
import type { Random } from './ports/random';

/** How a stored event becomes a domain event again: decoded, never trusted. */
export type EventDecoder<Event extends DomainEvent> = (stored: { type: string; data: unknown }) => E.Either<unknown, Event>;

export interface Aggregate<Command, Event extends DomainEvent, State> {
  readonly decider: Decider<Command, Event, State>;
  readonly decode: EventDecoder<Event>;
}

export class CorruptEventError extends Error {
  override readonly name = 'CorruptEventError';
  constructor(readonly event: RecordedEvent, readonly reason: unknown) {
    super(`event ${event.type} at ${event.streamName}@${event.streamVersion} does not decode: ${describe(reason)}`);
  }
}

export class TooMuchContentionError extends Error {
  override readonly name = 'TooMuchContentionError';
}

function describe(reason: unknown): string {
  if (Array.isArray(reason)) return `${reason.length} validation error(s)`;
  return reason instanceof Error ? reason.message : String(reason);
}

export interface Loaded<State> {
  readonly state: State;
  readonly version: number;
  readonly events: readonly RecordedEvent[];
}

/** Fold a stream into the aggregate's state. */
export async function load<Command, Event extends DomainEvent, State>(
  store: EventStore,
  streamName: string,
  aggregate: Aggregate<Command, Event, State>,
): Promise<Loaded<State>> {
  const read = await store.readStream(streamName);
  let state = aggregate.decider.initialState;
  for (const stored of read.events) {
    const decoded = aggregate.decode({ type: stored.type, data: stored.data });
    if (E.isLeft(decoded)) throw new CorruptEventError(stored, decoded.left);
    state = aggregate.decider.evolve(state, decoded.right);
  }
  return { state, version: read.currentVersion, events: read.events };
}

export interface Handled<Event, State> {
  /** the events this command appended (empty when it changed nothing) */
  readonly events: readonly Event[];
  /** the state after them */
  readonly state: State;
  /** the stream's version after them */
  readonly version: number;
  /** the global position of the last appended event, or undefined when none were */
  readonly position: number | undefined;
}

export interface HandleOptions {
  readonly metadata?: EventMetadata;
  readonly random: Random;
  /** attempts after a concurrency conflict (default 10) */
  readonly retries?: number;
}

/**
 * Decide `command` (or the command `makeCommand` builds from the current state) on the
 * stream and append the result. Answers the domain's refusal as a Left; throws only for
 * infrastructure trouble.
 */
export async function handle<Command, Event extends DomainEvent, State>(
  store: EventStore,
  streamName: string,
  aggregate: Aggregate<Command, Event, State>,
  command: Command | ((state: State) => Command),
  options: HandleOptions,
): Promise<E.Either<DomainError, Handled<Event, State>>> {
  const retries = options.retries ?? 10;
  for (let attempt = 0; ; attempt++) {
    const loaded = await load(store, streamName, aggregate);
    const cmd = typeof command === 'function' ? (command as (s: State) => Command)(loaded.state) : command;
    const decision = aggregate.decider.decide(cmd, loaded.state);
    if (E.isLeft(decision)) return decision;
    const events = decision.right;
    if (events.length === 0) return E.right({ events, state: loaded.state, version: loaded.version, position: undefined });
    try {
      const appended = await store.appendToStream(
        streamName,
        events.map((event) => ({
          id: options.random.uuid(),
          type: event.type,
          data: event.data as JsonObject,
          metadata: options.metadata ?? {},
        })),
        { expectedVersion: loaded.version === 0 ? 'no-stream' : loaded.version },
      );
      const state = events.reduce(aggregate.decider.evolve, loaded.state);
      return E.right({ events, state, version: appended.nextExpectedVersion, position: appended.lastGlobalPosition });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      if (attempt >= retries) throw new TooMuchContentionError(`stream ${streamName}: still conflicting after ${retries} retries`);
      // someone else wrote first: back off a little, with jitter, and decide again on fresh state
      await new Promise((r) => setTimeout(r, Math.min(50, 2 ** attempt) * Math.random()));
    }
  }
}
