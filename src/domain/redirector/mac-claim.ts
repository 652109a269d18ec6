/**
 * MacClaim (Redirector): a phone claimed in advance by an installation (SPEC §5.4),
 * one stream per MAC (`macClaim-<mac>`). A claimed phone is redirected to the claiming
 * Devices at `phone/init` instead of being asked for a code. A MAC claimed by one
 * installation cannot be claimed by another (`conflict`); the same installation claiming
 * it again changes nothing.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec } from '../event-codec';
import { Id } from '../values/id';
import { Mac } from '../values/mac';
import { Timestamp } from '../values/time';
import { DevicesUrl } from '../values/url';
import type { IssuingInstallation } from './provisioning-code';

export const streamCategory = 'macClaim';
export const streamName = (mac: Mac): string => `${streamCategory}-${mac}`;

export const Event = eventCodec('MacClaimEvent', {
  MacClaimed: t.strict({ mac: Mac, installationId: Id, devicesUrl: DevicesUrl, at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

export type Command = {
  readonly type: 'ClaimMac';
  readonly mac: Mac;
  /** the claiming installation, as folded from its stream; phones are sent to its registered URL */
  readonly installation: IssuingInstallation;
  readonly now: Timestamp;
};

export type State =
  | { readonly status: 'unclaimed' }
  | {
      readonly status: 'claimed';
      readonly mac: Mac;
      readonly installationId: Id;
      readonly devicesUrl: DevicesUrl;
      readonly claimedAt: Timestamp;
    };

export const initialState: State = { status: 'unclaimed' };

export const evolve = (_state: State, event: Event): State => {
  const { at, ...claim } = event.data;
  return { status: 'claimed', ...claim, claimedAt: at };
};

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  const { installationId, devicesUrl } = command.installation;
  if (state.status === 'claimed') {
    return state.installationId === installationId
      ? E.right([])
      : E.left(domainError('conflict', 'this MAC is claimed by another installation'));
  }
  return E.right([{ type: 'MacClaimed', data: { mac: command.mac, installationId, devicesUrl, at: command.now } }]);
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };

/** What `phone/init` answers a phone: redirect a claimed MAC to its Devices, otherwise ask for a code. */
export type InitAnswer = { readonly action: 'prompt-code' } | { readonly action: 'redirect'; readonly devicesUrl: DevicesUrl };

export const initAnswer = (state: State): InitAnswer =>
  state.status === 'claimed' ? { action: 'redirect', devicesUrl: state.devicesUrl } : { action: 'prompt-code' };
