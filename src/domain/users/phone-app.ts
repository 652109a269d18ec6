/** PhoneApp (Users): a phone app a rollout may pick, e.g. `phone` (`phoneApp-<phoneAppId>`). */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec } from '../event-codec';
import { Id } from '../values/id';
import { DisplayName } from '../values/text';
import { Timestamp } from '../values/time';

export const streamCategory = 'phoneApp';
export const streamName = (phoneAppId: Id): string => `${streamCategory}-${phoneAppId}`;

export const Event = eventCodec('PhoneAppEvent', {
  PhoneAppCreated: t.strict({ phoneAppId: Id, name: DisplayName, at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

export type Command = { readonly type: 'CreatePhoneApp'; readonly phoneAppId: Id; readonly name: DisplayName; readonly now: Timestamp };

export type State = { readonly status: 'none' } | { readonly status: 'created'; readonly phoneAppId: Id; readonly name: DisplayName };

export const initialState: State = { status: 'none' };

export const evolve = (_state: State, event: Event): State => ({
  status: 'created',
  phoneAppId: event.data.phoneAppId,
  name: event.data.name,
});

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> =>
  state.status !== 'none'
    ? E.left(domainError('conflict', 'a phone app with this id exists'))
    : E.right([{ type: 'PhoneAppCreated', data: { phoneAppId: command.phoneAppId, name: command.name, at: command.now } }]);

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
