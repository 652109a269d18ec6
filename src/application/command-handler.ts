/**
 * The one way commands reach the event log: read the aggregate's stream, fold it, let
 * the decider answer, append the events expecting the version that was read; on a
 * concurrency conflict read again and decide again (a bounded number of times). A stream
 * this process used recently is decided on its cached state first, without a read: the
 * expected version of the append proves it current, or the conflict sends it to a read.
 * A stream on which that conflict happened (another writer got there first: a concurrent
 * request, or another node on one database) is read before every decision from then on:
 * a read of its newest events is cheaper than an append refused under the store's lock.
 */
import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import type { Decider, DomainError, DomainEvent } from '../domain/decider';
import { WrongExpectedVersionError, type EventMetadata, type EventStore, type JsonObject, type RecordedEvent } from './ports/event-store';
import type { Random } from './ports/random';
import { splitEvent, withPersonal } from './personal-data';
import { RecentMap } from './recent-map';

/** How a stored event becomes a domain event again: decoded, never trusted. */
export type EventDecoder<Event extends DomainEvent> = (stored: { type: string; data: unknown }) => E.Either<unknown, Event>;

export interface Aggregate<Command, Event extends DomainEvent, State> {
  readonly decider: Decider<Command, Event, State>;
  readonly decode: EventDecoder<Event>;
}

/**
 * The one way an aggregate of the domain is wired to the command handler, in every part:
 * its module's decider, and its event codec as the decoder of what the stream holds.
 */
export const aggregateOf = <C, Ev extends DomainEvent, S>(module: {
  readonly decider: Decider<C, Ev, S>;
  readonly Event: t.Decoder<unknown, Ev>;
}): Aggregate<C, Ev, S> => ({
  decider: module.decider,
  decode: (stored) => module.Event.decode(stored),
});

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
  /** the global position of the stream's last event (0 for a missing stream) */
  readonly lastPosition: number;
}

interface CachedState {
  readonly aggregate: object;
  readonly state: unknown;
  readonly version: number;
  readonly lastEventId: string;
  readonly lastPosition: number;
}

/**
 * Folded states of recently used streams, per event store. A load reads only the events
 * after the cached version, starting with the last cached event itself: if that event is
 * no longer there (the stream was deleted, perhaps re-created, by anyone), the stream is
 * folded afresh. A long stream (a rollout of 10,000 phones) is thus folded once, not on
 * every command. The bound is two generations (recent-map.ts): every stream used within the
 * last 5,000 uses is kept, at most 10,000 are; an exact order of use in one Map costs a
 * scan over the holes its deletes leave at the front on every eviction.
 */
const CACHE_GENERATION = 5_000;
const caches = new WeakMap<EventStore, RecentMap<string, CachedState>>();
/** streams another writer appended to while this process held their cached state (same bound) */
const contended = new WeakMap<EventStore, RecentMap<string, true>>();

function perStore<V>(map: WeakMap<EventStore, RecentMap<string, V>>, store: EventStore): RecentMap<string, V> {
  let entries = map.get(store);
  if (!entries) {
    entries = new RecentMap(CACHE_GENERATION);
    map.set(store, entries);
  }
  return entries;
}

const cacheOf = (store: EventStore): RecentMap<string, CachedState> => perStore(caches, store);

function fold<Command, Event extends DomainEvent, State>(aggregate: Aggregate<Command, Event, State>, state: State, events: readonly RecordedEvent[]): State {
  let folded = state;
  for (const stored of events) {
    const decoded = aggregate.decode({ type: stored.type, data: withPersonal(stored).data });
    if (E.isLeft(decoded)) throw new CorruptEventError(stored, decoded.left);
    folded = aggregate.decider.evolve(folded, decoded.right);
  }
  return folded;
}

/** The cached state of a stream, as of the last time this process read or wrote it (no read). */
function peek<Command, Event extends DomainEvent, State>(store: EventStore, streamName: string, aggregate: Aggregate<Command, Event, State>): Loaded<State> | undefined {
  const cache = cacheOf(store);
  const cached = cache.get(streamName);
  if (!cached || cached.aggregate !== aggregate || perStore(contended, store).has(streamName)) return undefined;
  return { state: cached.state as State, version: cached.version, lastPosition: cached.lastPosition };
}

/** Fold a stream into the aggregate's state. */
export async function load<Command, Event extends DomainEvent, State>(
  store: EventStore,
  streamName: string,
  aggregate: Aggregate<Command, Event, State>,
): Promise<Loaded<State>> {
  const cache = cacheOf(store);
  const cached = cache.get(streamName);
  if (cached && cached.aggregate === aggregate) {
    const read = await store.readStream(streamName, { from: cached.version });
    if (read.events[0]?.id === cached.lastEventId && read.events[0].streamVersion === cached.version) {
      const fresh = read.events.slice(1);
      const state = fold(aggregate, cached.state as State, fresh);
      const last = fresh.at(-1);
      if (last) cache.set(streamName, { aggregate, state, version: last.streamVersion, lastEventId: last.id, lastPosition: last.globalPosition });
      return { state, version: last?.streamVersion ?? cached.version, lastPosition: last?.globalPosition ?? cached.lastPosition };
    }
    cache.delete(streamName);
  }
  const read = await store.readStream(streamName);
  const state = fold(aggregate, aggregate.decider.initialState, read.events);
  const last = read.events.at(-1);
  if (last) cache.set(streamName, { aggregate, state, version: last.streamVersion, lastEventId: last.id, lastPosition: last.globalPosition });
  return { state, version: read.currentVersion, lastPosition: last?.globalPosition ?? 0 };
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
 * stream and append the result. Answers the domain's refusal as a Left (a handler throws
 * it on as a Refusal with `orRefuse`, src/application/refusal.ts); throws only for
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
  const decideOn = (state: State) => aggregate.decider.decide(typeof command === 'function' ? (command as (s: State) => Command)(state) : command, state);
  for (let attempt = 0; ; attempt++) {
    // first try on the cached state without reading: the append's version check tells
    // whether it was current (a conflict reads the stream and decides again)
    const cached = attempt === 0 ? peek(store, streamName, aggregate) : undefined;
    let loaded = cached ?? (await load(store, streamName, aggregate));
    let decision = decideOn(loaded.state);
    if (cached && (E.isLeft(decision) || decision.right.length === 0)) {
      // a refusal or a no-op appends nothing, so nothing would catch a stale state: read first
      loaded = await load(store, streamName, aggregate);
      decision = decideOn(loaded.state);
    }
    if (E.isLeft(decision)) return decision;
    const events = decision.right;
    if (events.length === 0) return E.right({ events, state: loaded.state, version: loaded.version, position: undefined });
    const ids = events.map(() => options.random.uuid());
    try {
      const appended = await store.appendToStream(
        streamName,
        // the personal fields the domain declares go to the event's personal part, never into data
        events.map((event, i) =>
          splitEvent({
            id: ids[i]!,
            type: event.type,
            data: event.data as JsonObject,
            metadata: options.metadata ?? {},
          }),
        ),
        { expectedVersion: loaded.version === 0 ? 'no-stream' : loaded.version },
      );
      const state = events.reduce(aggregate.decider.evolve, loaded.state);
      // the next load starts from here; an idempotent re-append wrote nothing new, so forget instead
      if (appended.nextExpectedVersion === loaded.version + events.length) {
        cacheOf(store).set(streamName, { aggregate, state, version: appended.nextExpectedVersion, lastEventId: ids[ids.length - 1]!, lastPosition: appended.lastGlobalPosition });
      } else cacheOf(store).delete(streamName);
      return E.right({ events, state, version: appended.nextExpectedVersion, position: appended.lastGlobalPosition });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      if (cached) perStore(contended, store).set(streamName, true);
      if (attempt >= retries) throw new TooMuchContentionError(`stream ${streamName}: still conflicting after ${retries} retries`);
      // someone else wrote first: back off a little, with jitter, and decide again on fresh state
      await new Promise((r) => setTimeout(r, Math.min(50, 2 ** attempt) * Math.random()));
    }
  }
}
