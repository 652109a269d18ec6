/**
 * DeviceCode (Devices): Devices' own record of a provisioning code, keyed by Devices' hash
 * of it (`deviceCode-<codeHash>`): the domain and category the code provisions into, and
 * the one phone it provisioned. Assigned after the Redirector issued the code, and only for
 * a category enabled for provisioning. The first MAC binds it; the same MAC again (a
 * retried provision) changes nothing; any other MAC, or any use at or after expiry, is
 * `unknown-code`, the same answer as for a code Devices never saw.
 *
 * Provisioning decides on the Device first (`device.ts`): a phone refused there with
 * `device-owned-by-other-domain` does not use up the code.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec } from '../event-codec';
import { CategoryId } from '../values/category-id';
import { DomainName } from '../values/domain-name';
import { Mac } from '../values/mac';
import { Digest } from '../values/secret';
import { isAtOrAfter, Timestamp } from '../values/time';
import * as Tenant from './tenant';

export const streamCategory = 'deviceCode';
export const streamName = (codeHash: Digest): string => `${streamCategory}-${codeHash}`;

export const Event = eventCodec('DeviceCodeEvent', {
  DeviceCodeAssigned: t.strict({
    codeHash: Digest,
    domain: DomainName,
    category: CategoryId,
    expiresAt: Timestamp,
    at: Timestamp,
  }),
  DeviceCodeUsed: t.strict({ codeHash: Digest, mac: Mac, domain: DomainName, category: CategoryId, at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

export type Command =
  | {
      readonly type: 'AssignDeviceCode';
      readonly codeHash: Digest;
      readonly domain: DomainName;
      readonly category: CategoryId;
      /** the domain's state, folded from its stream: the category must be enabled for provisioning */
      readonly domainState: Tenant.State;
      /** as the Redirector answered */
      readonly expiresAt: Timestamp;
      readonly now: Timestamp;
    }
  | { readonly type: 'UseDeviceCode'; readonly codeHash: Digest; readonly mac: Mac; readonly now: Timestamp };

export interface Assigned {
  readonly status: 'assigned';
  readonly codeHash: Digest;
  readonly domain: DomainName;
  readonly category: CategoryId;
  readonly expiresAt: Timestamp;
  readonly usedBy: Mac | null;
}

export type State = { readonly status: 'none' } | Assigned;

export const initialState: State = { status: 'none' };

export const evolve = (state: State, event: Event): State => {
  switch (event.type) {
    case 'DeviceCodeAssigned': {
      const { at: _, ...assigned } = event.data;
      return { status: 'assigned', ...assigned, usedBy: null };
    }
    case 'DeviceCodeUsed':
      return state.status === 'none' ? state : { ...state, usedBy: event.data.mac };
  }
};

export const unknownCode: DomainError = domainError('unknown-code', 'unknown code');

/** The code if `mac` may provision with it at `now`: assigned, not expired, unused or used by this MAC. */
export const usableBy = (state: State, mac: Mac, now: Timestamp): E.Either<DomainError, Assigned> =>
  state.status === 'assigned' && !isAtOrAfter(now, state.expiresAt) && (state.usedBy === null || state.usedBy === mac)
    ? E.right(state)
    : E.left(unknownCode);

/** Devices keeps the code, and the MAC it bound, until the code expires. */
export const isPurgeable = (state: State, now: Timestamp): boolean =>
  state.status === 'assigned' && isAtOrAfter(now, state.expiresAt);

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  switch (command.type) {
    case 'AssignDeviceCode': {
      if (state.status !== 'none') return E.left(domainError('conflict', 'a code with this hash is assigned already'));
      const domain = Tenant.existingDomain(command.domainState, command.domain);
      if (E.isLeft(domain)) return domain;
      const category = Tenant.categoryForProvisioning(command.domainState, command.category);
      if (E.isLeft(category)) return category;
      const { type: _, domainState: __, now, ...assigned } = command;
      return E.right([{ type: 'DeviceCodeAssigned', data: { ...assigned, at: now } }]);
    }
    case 'UseDeviceCode': {
      const usable = usableBy(state, command.mac, command.now);
      if (E.isLeft(usable)) return usable;
      if (usable.right.usedBy !== null) return E.right([]);
      const { codeHash, domain, category } = usable.right;
      return E.right([{ type: 'DeviceCodeUsed', data: { codeHash, mac: command.mac, domain, category, at: command.now } }]);
    }
  }
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
