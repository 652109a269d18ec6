/**
 * Rollout (Users): UsersAdmin's "Register phones" (`rollout-<rolloutId>`): one code per
 * user for a category and phone app; each entry goes Pending → Registered as its phone
 * comes up, or shows Expired once its code expired unused, when the admin may reissue it.
 * Once a code has expired its digits are purged (`personalFields`, `PurgeRolloutCodes`);
 * the rollout keeps its users and their states.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec, type PersonalFields } from '../event-codec';
import { CategoryId } from '../values/category-id';
import { Id } from '../values/id';
import { Mac } from '../values/mac';
import { ProvisioningCode } from '../values/provisioning-code';
import { invalid } from '../values/refuse';
import { Digest } from '../values/secret';
import { isAtOrAfter, Timestamp } from '../values/time';
import type * as PhoneApp from './phone-app';

export const streamCategory = 'rollout';
export const streamName = (rolloutId: Id): string => `${streamCategory}-${rolloutId}`;

/** At most this many users per rollout. */
export const MAX_ENTRIES = 10_000;

/** `code`: the digits, null once purged */
const EntryCode = { codeHash: Digest, code: t.union([ProvisioningCode, t.null]), expiresAt: Timestamp };
export const RolloutEntry = t.strict({ userId: Id, ...EntryCode });
export type RolloutEntry = t.TypeOf<typeof RolloutEntry>;

export const Event = eventCodec('RolloutEvent', {
  RolloutStarted: t.strict({
    rolloutId: Id,
    category: CategoryId,
    phoneAppId: Id,
    entries: t.array(RolloutEntry),
    at: Timestamp,
  }),
  RolloutEntryRegistered: t.strict({ rolloutId: Id, userId: Id, codeHash: Digest, mac: Mac, at: Timestamp }),
  RolloutCodeReissued: t.strict({ rolloutId: Id, userId: Id, ...EntryCode, at: Timestamp }),
  /** the digits of these codes of these users (each expired) were purged from the rollout's events */
  RolloutCodesPurged: t.strict({ rolloutId: Id, codes: t.array(t.strict({ userId: Id, codeHash: Digest })), at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

/** the digits of each code, deleted once the code expired */
export const personalFields: PersonalFields = { RolloutStarted: ['entries[].code'], RolloutCodeReissued: ['code'] };

/**
 * When the digits an event holds may all go: a started rollout's once every code it
 * handed out expired, a reissued code's at its expiry; null for an event without digits.
 */
export const digitsExpireAt = (event: Event): Timestamp | null => {
  switch (event.type) {
    case 'RolloutStarted':
      return event.data.entries.reduce<Timestamp | null>((latest, e) => (latest === null || isAtOrAfter(e.expiresAt, latest) ? e.expiresAt : latest), null);
    case 'RolloutCodeReissued':
      return event.data.expiresAt;
    default:
      return null;
  }
};

/** the code hashes whose digits an event holds */
export const codeHashesOf = (event: Event): readonly Digest[] => {
  switch (event.type) {
    case 'RolloutStarted':
      return event.data.entries.map((e) => e.codeHash);
    case 'RolloutCodeReissued':
      return [event.data.codeHash];
    default:
      return [];
  }
};

export type Command =
  | {
      readonly type: 'StartRollout';
      readonly rolloutId: Id;
      readonly category: CategoryId;
      /** the phone app's state, folded from its stream: it must exist */
      readonly phoneApp: PhoneApp.State;
      /** one per user, each with the code asked for it */
      readonly entries: readonly RolloutEntry[];
      readonly now: Timestamp;
    }
  | {
      readonly type: 'RegisterRolloutEntry';
      readonly rolloutId: Id;
      readonly userId: Id;
      readonly codeHash: Digest;
      readonly mac: Mac;
      readonly now: Timestamp;
    }
  | { readonly type: 'PurgeRolloutCodes'; readonly rolloutId: Id; readonly codeHashes: readonly Digest[]; readonly now: Timestamp }
  | {
      readonly type: 'ReissueRolloutCode';
      readonly rolloutId: Id;
      readonly userId: Id;
      readonly codeHash: Digest;
      readonly code: ProvisioningCode;
      readonly expiresAt: Timestamp;
      readonly now: Timestamp;
    };

export interface Entry {
  readonly userId: Id;
  /** the current code (its digits null once purged) */
  readonly codeHash: Digest;
  readonly code: ProvisioningCode | null;
  readonly expiresAt: Timestamp;
  /** every code the entry had, the current one last */
  readonly codeHashes: readonly Digest[];
  /** those of them whose digits were purged */
  readonly purgedHashes: readonly Digest[];
  readonly mac: Mac | null;
  readonly registeredAt: Timestamp | null;
}

/**
 * A rollout's entries, in the order the users were given. Up to 10,000 of them change one
 * at a time as phones come up, so an event must not copy them all: they sit in chunks, and
 * an update copies the list of chunks and the one chunk it changes (about 2 × √n
 * references), sharing the rest with the state before. Nothing is ever changed in place.
 */
export interface Entries {
  /** where each user's entry is: never changes after the rollout started */
  readonly index: ReadonlyMap<Id, number>;
  readonly chunks: readonly (readonly Entry[])[];
  readonly size: number;
}

const CHUNK = 128;

const entriesOf = (list: readonly Entry[]): Entries => {
  const chunks: Entry[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) chunks.push(list.slice(i, i + CHUNK));
  return { index: new Map(list.map((e, i) => [e.userId, i])), chunks, size: list.length };
};

/** the entry of a user, or undefined */
export const entryOf = (entries: Entries, userId: Id): Entry | undefined => {
  const i = entries.index.get(userId);
  return i === undefined ? undefined : entries.chunks[Math.floor(i / CHUNK)]![i % CHUNK];
};

/** every entry, in the order the users were given */
export const allEntries = (entries: Entries): readonly Entry[] => entries.chunks.flat();

const withEntry = (entries: Entries, userId: Id, update: (entry: Entry) => Entry): Entries => {
  const i = entries.index.get(userId);
  if (i === undefined) return entries;
  const c = Math.floor(i / CHUNK);
  const chunk = [...entries.chunks[c]!];
  chunk[i % CHUNK] = update(chunk[i % CHUNK]!);
  const chunks = [...entries.chunks];
  chunks[c] = chunk;
  return { ...entries, chunks };
};

export interface Started {
  readonly status: 'started';
  readonly rolloutId: Id;
  readonly category: CategoryId;
  readonly phoneAppId: Id;
  readonly entries: Entries;
}

export type State = { readonly status: 'none' } | Started;

export const initialState: State = { status: 'none' };

const updateEntry = (state: Started, userId: Id, update: (entry: Entry) => Entry): Started => ({
  ...state,
  entries: withEntry(state.entries, userId, update),
});

export const evolve = (state: State, event: Event): State => {
  switch (event.type) {
    case 'RolloutStarted': {
      const { rolloutId, category, phoneAppId, entries } = event.data;
      return {
        status: 'started',
        rolloutId,
        category,
        phoneAppId,
        entries: entriesOf(entries.map((e) => ({ ...e, codeHashes: [e.codeHash], purgedHashes: [], mac: null, registeredAt: null }))),
      };
    }
    case 'RolloutEntryRegistered':
      if (state.status === 'none') return state;
      return updateEntry(state, event.data.userId, (entry) => ({ ...entry, mac: event.data.mac, registeredAt: event.data.at }));
    case 'RolloutCodeReissued': {
      if (state.status === 'none') return state;
      const { codeHash, code, expiresAt } = event.data;
      return updateEntry(state, event.data.userId, (entry) => ({
        ...entry,
        codeHash,
        code,
        expiresAt,
        codeHashes: [...entry.codeHashes, codeHash],
      }));
    }
    case 'RolloutCodesPurged': {
      if (state.status === 'none') return state;
      return event.data.codes.reduce<Started>(
        (s, { userId, codeHash }) =>
          updateEntry(s, userId, (entry) => ({
            ...entry,
            code: entry.codeHash === codeHash ? null : entry.code,
            purgedHashes: entry.purgedHashes.includes(codeHash) ? entry.purgedHashes : [...entry.purgedHashes, codeHash],
          })),
        state,
      );
    }
  }
};

export type EntryState = 'pending' | 'registered' | 'expired';

/** Pending until its code expires; registered once its phone came up. */
export const entryState = (entry: Pick<Entry, 'mac' | 'expiresAt'>, now: Timestamp): EntryState =>
  entry.mac !== null ? 'registered' : isAtOrAfter(now, entry.expiresAt) ? 'expired' : 'pending';

const notFound = domainError('not-found', 'no such rollout');
const entryNotFound = domainError('not-found', 'the user is not in this rollout');

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  switch (command.type) {
    case 'StartRollout': {
      if (state.status !== 'none') return E.left(domainError('conflict', 'a rollout with this id exists'));
      if (command.phoneApp.status === 'none') return E.left(domainError('not-found', 'no such phone app'));
      const { entries } = command;
      if (entries.length === 0) return invalid('a rollout needs at least one user');
      if (entries.length > MAX_ENTRIES) return invalid(`a rollout has at most ${MAX_ENTRIES} users`);
      if (new Set(entries.map((e) => e.userId)).size !== entries.length) return invalid('each user at most once per rollout');
      if (new Set(entries.map((e) => e.codeHash)).size !== entries.length) return invalid('each user needs a code of its own');
      return E.right([
        {
          type: 'RolloutStarted',
          data: {
            rolloutId: command.rolloutId,
            category: command.category,
            phoneAppId: command.phoneApp.phoneAppId,
            entries: entries.map(({ userId, codeHash, code, expiresAt }) => ({ userId, codeHash, code, expiresAt })),
            at: command.now,
          },
        },
      ]);
    }
    case 'RegisterRolloutEntry': {
      if (state.status === 'none') return E.left(notFound);
      const entry = entryOf(state.entries, command.userId);
      if (entry === undefined) return E.left(entryNotFound);
      if (!entry.codeHashes.includes(command.codeHash)) return E.left(domainError('conflict', 'the code is not one of this entry'));
      if (entry.mac !== null) {
        return entry.mac === command.mac ? E.right([]) : E.left(domainError('conflict', 'the entry registered another phone'));
      }
      const { rolloutId, userId, codeHash, mac, now } = command;
      return E.right([{ type: 'RolloutEntryRegistered', data: { rolloutId, userId, codeHash, mac, at: now } }]);
    }
    case 'PurgeRolloutCodes': {
      if (state.status === 'none') return E.left(notFound);
      const wanted = new Set(command.codeHashes);
      const codes = allEntries(state.entries).flatMap((entry) =>
        entry.codeHashes.filter((h) => wanted.has(h) && !entry.purgedHashes.includes(h)).map((codeHash) => ({ userId: entry.userId, codeHash })),
      );
      if (codes.length === 0) return E.right([]);
      return E.right([{ type: 'RolloutCodesPurged', data: { rolloutId: command.rolloutId, codes, at: command.now } }]);
    }
    case 'ReissueRolloutCode': {
      if (state.status === 'none') return E.left(notFound);
      const entry = entryOf(state.entries, command.userId);
      if (entry === undefined) return E.left(entryNotFound);
      const current = entryState(entry, command.now);
      if (current !== 'expired') return E.left(domainError('conflict', `the entry is ${current}; only an expired code is reissued`));
      if (entry.codeHashes.includes(command.codeHash)) return E.left(domainError('conflict', 'the entry had this code already'));
      const { rolloutId, userId, codeHash, code, expiresAt, now } = command;
      return E.right([{ type: 'RolloutCodeReissued', data: { rolloutId, userId, codeHash, code, expiresAt, at: now } }]);
    }
  }
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
