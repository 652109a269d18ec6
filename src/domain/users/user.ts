/**
 * User (Users): a person of the domain's directory (`user-<userId>`), with the tokens
 * Profile logs in with (kept as hashes). Personal data: name and e-mail address.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec } from '../event-codec';
import { Id } from '../values/id';
import { Digest } from '../values/secret';
import { DisplayName, Email } from '../values/text';
import { Timestamp } from '../values/time';

export const streamCategory = 'user';
export const streamName = (userId: Id): string => `${streamCategory}-${userId}`;

export const Event = eventCodec('UserEvent', {
  UserCreated: t.strict({ userId: Id, name: DisplayName, email: t.union([Email, t.null]), at: Timestamp }),
  UserTokenIssued: t.strict({ userId: Id, tokenHash: Digest, at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

export type Command =
  | {
      readonly type: 'CreateUser';
      readonly userId: Id;
      readonly name: DisplayName;
      readonly email: Email | null;
      readonly now: Timestamp;
    }
  | { readonly type: 'IssueUserToken'; readonly userId: Id; readonly tokenHash: Digest; readonly now: Timestamp };

export interface Created {
  readonly status: 'created';
  readonly userId: Id;
  readonly name: DisplayName;
  readonly email: Email | null;
  readonly tokenHashes: readonly Digest[];
}

export type State = { readonly status: 'none' } | Created;

export const initialState: State = { status: 'none' };

export const evolve = (state: State, event: Event): State => {
  switch (event.type) {
    case 'UserCreated':
      return { status: 'created', userId: event.data.userId, name: event.data.name, email: event.data.email, tokenHashes: [] };
    case 'UserTokenIssued':
      return state.status === 'none' ? state : { ...state, tokenHashes: [...state.tokenHashes, event.data.tokenHash] };
  }
};

export const userNotFound = domainError('not-found', 'no such user');

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  switch (command.type) {
    case 'CreateUser': {
      if (state.status !== 'none') return E.left(domainError('conflict', 'a user with this id exists'));
      const { userId, name, email, now } = command;
      return E.right([{ type: 'UserCreated', data: { userId, name, email, at: now } }]);
    }
    case 'IssueUserToken': {
      if (state.status === 'none') return E.left(userNotFound);
      if (state.tokenHashes.includes(command.tokenHash)) return E.right([]);
      return E.right([{ type: 'UserTokenIssued', data: { userId: state.userId, tokenHash: command.tokenHash, at: command.now } }]);
    }
  }
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
