/**
 * UnassignedPhone (Users): a provisioned phone Users cannot give to a user by itself
 * (`unassignedPhone-<mac>`): an approved pre-claimed phone (its notice has no code), a
 * notice for a code this Users never handed out, or one for a code that already became
 * another phone of its user. It is kept and reported, not dropped,
 * until an admin assigns it to a user. A repeated notice changes nothing. The code of a
 * notice is purged once it has certainly expired (`CODE_KEPT_DAYS` after the notice:
 * Users may not know the code's expiry, but a code lives 7 days and was spent by then).
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec, type PersonalFields } from '../event-codec';
import { Id } from '../values/id';
import { Mac } from '../values/mac';
import { Model } from '../values/model';
import { ProvisioningCode } from '../values/provisioning-code';
import { addDays, isAtOrAfter, Timestamp } from '../values/time';
import * as User from './user';

export const streamCategory = 'unassignedPhone';
export const streamName = (mac: Mac): string => `${streamCategory}-${mac}`;

export const UnassignedReason = t.keyof({ 'no-code': null, 'unknown-code': null, 'code-used-by-other-phone': null });
export type UnassignedReason = t.TypeOf<typeof UnassignedReason>;

export const Event = eventCodec('UnassignedPhoneEvent', {
  UnassignedPhoneRecorded: t.strict({
    mac: Mac,
    model: Model,
    code: t.union([ProvisioningCode, t.null]),
    noticeId: Id,
    reason: UnassignedReason,
    at: Timestamp,
  }),
  UnassignedPhoneAssigned: t.strict({ mac: Mac, model: Model, userId: Id, at: Timestamp }),
  /** the codes of the notices due by `at` (`codeDue`) were purged */
  UnassignedPhoneCodesPurged: t.strict({ mac: Mac, at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

/** the digits of the notice's code */
export const personalFields: PersonalFields = { UnassignedPhoneRecorded: ['code'] };

/** A code lives 7 days, and it had provisioned the phone before its notice was recorded. */
export const CODE_KEPT_DAYS = 7;

/** When the code of a notice recorded at `recordedAt` may go. */
export const codeDueAt = (recordedAt: Timestamp): Timestamp => addDays(recordedAt, CODE_KEPT_DAYS);

/** When the code of a recorded notice may go (null: it has none). */
export const codeExpiresBy = (event: Event): Timestamp | null =>
  event.type === 'UnassignedPhoneRecorded' && event.data.code !== null ? codeDueAt(event.data.at) : null;

/** Is the code of this notice (if it had one) due for its purge at `now`? */
export const codeDue = (event: Event, now: Timestamp): boolean =>
  event.type === 'UnassignedPhoneRecorded' && isAtOrAfter(now, codeDueAt(event.data.at));

export type Command =
  | {
      readonly type: 'RecordUnassignedPhone';
      readonly mac: Mac;
      readonly model: Model;
      readonly code: ProvisioningCode | null;
      readonly noticeId: Id;
      readonly reason: UnassignedReason;
      readonly now: Timestamp;
    }
  | { readonly type: 'PurgeUnassignedCodes'; readonly mac: Mac; readonly now: Timestamp }
  | {
      readonly type: 'AssignPhoneToUser';
      readonly mac: Mac;
      /** the user's state, folded from its stream: the user must exist */
      readonly user: User.State;
      readonly now: Timestamp;
    };

export interface Recorded {
  readonly status: 'unassigned' | 'assigned';
  readonly mac: Mac;
  readonly model: Model;
  readonly noticeIds: readonly Id[];
  readonly userId: Id | null;
}

export type State = { readonly status: 'none' } | Recorded;

export const initialState: State = { status: 'none' };

export const evolve = (state: State, event: Event): State => {
  switch (event.type) {
    case 'UnassignedPhoneRecorded':
      return {
        status: 'unassigned',
        mac: event.data.mac,
        model: event.data.model,
        noticeIds: [...(state.status === 'none' ? [] : state.noticeIds), event.data.noticeId],
        userId: null,
      };
    case 'UnassignedPhoneAssigned':
      return state.status === 'none' ? state : { ...state, status: 'assigned', userId: event.data.userId };
    case 'UnassignedPhoneCodesPurged':
      return state;
  }
};

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  switch (command.type) {
    case 'RecordUnassignedPhone': {
      if (state.status !== 'none' && state.noticeIds.includes(command.noticeId)) return E.right([]);
      const { mac, model, code, noticeId, reason, now } = command;
      return E.right([{ type: 'UnassignedPhoneRecorded', data: { mac, model, code, noticeId, reason, at: now } }]);
    }
    case 'PurgeUnassignedCodes':
      if (state.status === 'none') return E.left(domainError('not-found', 'no unassigned phone of this MAC'));
      return E.right([{ type: 'UnassignedPhoneCodesPurged', data: { mac: command.mac, at: command.now } }]);
    case 'AssignPhoneToUser': {
      if (state.status === 'none') return E.left(domainError('not-found', 'no unassigned phone of this MAC'));
      if (command.user.status === 'none') return E.left(User.userNotFound);
      if (state.userId !== null) {
        return state.userId === command.user.userId ? E.right([]) : E.left(domainError('conflict', 'the phone is assigned to another user'));
      }
      return E.right([
        { type: 'UnassignedPhoneAssigned', data: { mac: state.mac, model: state.model, userId: command.user.userId, at: command.now } },
      ]);
    }
  }
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
