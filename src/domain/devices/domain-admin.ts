/**
 * DomainAdmin (Devices, SPEC §5.5): an administrator of one domain (`domainAdmin-<adminId>`),
 * made by the global admin for a hoster's customer. Its token is random, shown once and
 * kept only as a keyed hash (computed by the application); revoking ends it for good.
 * The admin's own stream decides whether a token still works, so a revocation holds at
 * once for every reader of the log.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec } from '../event-codec';
import { DomainName } from '../values/domain-name';
import { Id } from '../values/id';
import { Digest } from '../values/secret';
import { DisplayName } from '../values/text';
import { Timestamp } from '../values/time';
import * as Tenant from './tenant';

export const streamCategory = 'domainAdmin';
export const streamName = (adminId: Id): string => `${streamCategory}-${adminId}`;

export const Event = eventCodec('DomainAdminEvent', {
  DomainAdminCreated: t.strict({ adminId: Id, domain: DomainName, name: DisplayName, tokenHash: Digest, at: Timestamp }),
  DomainAdminRevoked: t.strict({ adminId: Id, domain: DomainName, at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

export type Command =
  | {
      readonly type: 'CreateDomainAdmin';
      readonly adminId: Id;
      readonly domain: DomainName;
      readonly name: DisplayName;
      /** keyed hash of the new token */
      readonly tokenHash: Digest;
      /** the domain's state, folded from its stream: it must exist */
      readonly domainState: Tenant.State;
      readonly now: Timestamp;
    }
  | {
      readonly type: 'RevokeDomainAdmin';
      readonly adminId: Id;
      /** the domain the admin is revoked in: an admin of another domain is not found */
      readonly domain: DomainName;
      readonly now: Timestamp;
    };

export interface Known {
  readonly adminId: Id;
  readonly domain: DomainName;
  readonly name: DisplayName;
  readonly tokenHash: Digest;
  readonly createdAt: Timestamp;
}

export type State = { readonly status: 'none' } | (Known & { readonly status: 'active' | 'revoked' });

export const initialState: State = { status: 'none' };

export const evolve = (state: State, event: Event): State => {
  switch (event.type) {
    case 'DomainAdminCreated': {
      const { adminId, domain, name, tokenHash, at } = event.data;
      return { status: 'active', adminId, domain, name, tokenHash, createdAt: at };
    }
    case 'DomainAdminRevoked':
      return state.status === 'none' ? state : { ...state, status: 'revoked' };
  }
};

const notFound = domainError('not-found', 'no such administrator in this domain');

/** The admin a token hash belongs to while it is active in its domain, else undefined. */
export const activeAdmin = (state: State): Known | undefined => (state.status === 'active' ? state : undefined);

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  switch (command.type) {
    case 'CreateDomainAdmin': {
      const existing = Tenant.existingDomain(command.domainState, command.domain);
      if (E.isLeft(existing)) return existing;
      if (state.status !== 'none') return E.left(domainError('conflict', 'an administrator with this id exists already'));
      const { adminId, domain, name, tokenHash, now } = command;
      return E.right([{ type: 'DomainAdminCreated', data: { adminId, domain, name, tokenHash, at: now } }]);
    }
    case 'RevokeDomainAdmin':
      // a revoked admin no longer exists for anyone: revoking it again finds nothing
      if (state.status !== 'active' || state.domain !== command.domain) return E.left(notFound);
      return E.right([{ type: 'DomainAdminRevoked', data: { adminId: state.adminId, domain: state.domain, at: command.now } }]);
  }
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
