/**
 * Installation (Redirector): a Devices service allowed to ask for codes
 * (`installation-<installationId>`). Registered by the operator with its Devices URL; its
 * API key is shown once and kept only as a hash. The operator may rotate the key: the new
 * hash replaces the old one at once, so the old key stops working. Several installations may not share one
 * URL: that is decided on the URL's own stream (`devices-url-reservation.ts`), reserved
 * before the installation is registered.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec } from '../event-codec';
import { Id } from '../values/id';
import { Digest } from '../values/secret';
import { DisplayName } from '../values/text';
import { Timestamp } from '../values/time';
import { DevicesUrl } from '../values/url';

export const streamCategory = 'installation';
export const streamName = (installationId: Id): string => `${streamCategory}-${installationId}`;

export const Event = eventCodec('InstallationEvent', {
  InstallationRegistered: t.strict({
    installationId: Id,
    name: DisplayName,
    devicesUrl: DevicesUrl,
    apiKeyHash: Digest,
    at: Timestamp,
  }),
  InstallationApiKeyRotated: t.strict({ installationId: Id, apiKeyHash: Digest, at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

export type Command =
  | {
      readonly type: 'RegisterInstallation';
      readonly installationId: Id;
      readonly name: DisplayName;
      readonly devicesUrl: DevicesUrl;
      readonly apiKeyHash: Digest;
      readonly now: Timestamp;
    }
  | { readonly type: 'RotateApiKey'; readonly installationId: Id; readonly apiKeyHash: Digest; readonly now: Timestamp };

export interface Registered {
  readonly status: 'registered';
  readonly installationId: Id;
  readonly name: DisplayName;
  readonly devicesUrl: DevicesUrl;
  readonly apiKeyHash: Digest;
  readonly registeredAt: Timestamp;
  /** when the API key was last rotated; null while it is the key of the registration */
  readonly apiKeyRotatedAt: Timestamp | null;
}

export type State = { readonly status: 'none' } | Registered;

export const initialState: State = { status: 'none' };

export const evolve = (state: State, event: Event): State => {
  switch (event.type) {
    case 'InstallationRegistered': {
      const { at, ...registration } = event.data;
      return { status: 'registered', ...registration, registeredAt: at, apiKeyRotatedAt: null };
    }
    case 'InstallationApiKeyRotated':
      return state.status === 'none' ? state : { ...state, apiKeyHash: event.data.apiKeyHash, apiKeyRotatedAt: event.data.at };
  }
};

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  switch (command.type) {
    case 'RegisterInstallation': {
      if (state.status !== 'none') return E.left(domainError('conflict', 'the installation is registered already'));
      const { type: _, now, ...registration } = command;
      return E.right([{ type: 'InstallationRegistered', data: { ...registration, at: now } }]);
    }
    case 'RotateApiKey': {
      if (state.status === 'none') return E.left(domainError('not-found', 'no installation has this id'));
      const { installationId, apiKeyHash, now } = command;
      return E.right([{ type: 'InstallationApiKeyRotated', data: { installationId, apiKeyHash, at: now } }]);
    }
  }
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
