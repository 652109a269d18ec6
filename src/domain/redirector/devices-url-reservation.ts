/**
 * DevicesUrlReservation (Redirector): one Devices URL, one installation
 * (`devicesUrl-<normalised URL>`). The operator's registration first reserves the URL
 * here, then registers the installation; a second installation for the same URL is
 * refused with `conflict`, the same installation again changes nothing (a retried request).
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec } from '../event-codec';
import { Id } from '../values/id';
import { Timestamp } from '../values/time';
import { DevicesUrl } from '../values/url';

export const streamCategory = 'devicesUrl';
export const streamName = (devicesUrl: DevicesUrl): string => `${streamCategory}-${devicesUrl}`;

export const Event = eventCodec('DevicesUrlReservationEvent', {
  DevicesUrlReserved: t.strict({ devicesUrl: DevicesUrl, installationId: Id, at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

export type Command = { readonly type: 'ReserveDevicesUrl'; readonly devicesUrl: DevicesUrl; readonly installationId: Id; readonly now: Timestamp };

export type State =
  | { readonly status: 'free' }
  | { readonly status: 'reserved'; readonly devicesUrl: DevicesUrl; readonly installationId: Id };

export const initialState: State = { status: 'free' };

export const evolve = (_state: State, event: Event): State => ({
  status: 'reserved',
  devicesUrl: event.data.devicesUrl,
  installationId: event.data.installationId,
});

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  if (state.status === 'reserved') {
    return state.installationId === command.installationId
      ? E.right([])
      : E.left(domainError('conflict', 'another installation is registered for this Devices URL'));
  }
  return E.right([
    {
      type: 'DevicesUrlReserved',
      data: { devicesUrl: command.devicesUrl, installationId: command.installationId, at: command.now },
    },
  ]);
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
