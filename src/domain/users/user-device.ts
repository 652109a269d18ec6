/**
 * UserDevice (Users): a code asked for a user, and the phone it became
 * (`userDevice-<codeHash>`, keyed by Users' hash of the code). Users keeps the 12 digits
 * to show them to the user again. The `PhoneProvisioned` notice from Devices (MAC, code)
 * turns the code into a device of that user exactly once, however often the notice is
 * delivered: the same MAC again changes nothing; another MAC for a registered code is a
 * `conflict`. Notices Users cannot place go to `unassigned-phone.ts` (see `phone-notice.ts`).
 *
 * At expiry the digits go, used or not, and so does the user of a code that never became
 * a phone (`personalFields`, `PurgePhoneCode`); a registered code stays the user's device.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec, type PersonalFields } from '../event-codec';
import { CategoryId } from '../values/category-id';
import { Id } from '../values/id';
import { Mac } from '../values/mac';
import { Model } from '../values/model';
import { ProvisioningCode } from '../values/provisioning-code';
import { Digest } from '../values/secret';
import { isAtOrAfter, Timestamp } from '../values/time';
import * as User from './user';

export const streamCategory = 'userDevice';
export const streamName = (codeHash: Digest): string => `${streamCategory}-${codeHash}`;

/** the digits, null once purged */
const Code = t.union([ProvisioningCode, t.null]);
const Request = {
  codeHash: Digest,
  code: Code,
  category: CategoryId,
  rolloutId: t.union([Id, t.null]),
};

export const Event = eventCodec('UserDeviceEvent', {
  /** `userId` is null once purged (the code expired without a phone) */
  PhoneCodeRequested: t.strict({ ...Request, userId: t.union([Id, t.null]), expiresAt: Timestamp, at: Timestamp }),
  PhoneRegistered: t.strict({ ...Request, userId: Id, mac: Mac, model: Model, at: Timestamp }),
  /** the code's digits (and, had it not registered a phone, its user) were purged at expiry */
  PhoneCodePurged: t.strict({ codeHash: Digest, expiresAt: Timestamp, registered: t.boolean, at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

/** deleted when the code expires: the digits always, the user of a code that never became a phone */
export const personalFields: PersonalFields = { PhoneCodeRequested: ['code', 'userId'], PhoneRegistered: ['code'] };

export type Command =
  | {
      readonly type: 'RequestPhoneCode';
      readonly codeHash: Digest;
      readonly code: ProvisioningCode;
      /** the user's state, folded from its stream: the user must exist */
      readonly user: User.State;
      readonly category: CategoryId;
      /** as Devices answered */
      readonly expiresAt: Timestamp;
      readonly rolloutId: Id | null;
      readonly now: Timestamp;
    }
  | { readonly type: 'RegisterPhone'; readonly codeHash: Digest; readonly mac: Mac; readonly model: Model; readonly now: Timestamp }
  | { readonly type: 'PurgePhoneCode'; readonly codeHash: Digest; readonly now: Timestamp };

export interface Requested {
  readonly status: 'requested' | 'registered';
  readonly codeHash: Digest;
  /** null once purged */
  readonly code: ProvisioningCode | null;
  /** null once purged, for a code that never became a phone */
  readonly userId: Id | null;
  readonly category: CategoryId;
  readonly expiresAt: Timestamp;
  readonly rolloutId: Id | null;
  readonly phone: { readonly mac: Mac; readonly model: Model; readonly registeredAt: Timestamp } | null;
  /** the digits (and the user of an unused code) were purged */
  readonly purged: boolean;
}

export type State = { readonly status: 'none' } | Requested;

export const initialState: State = { status: 'none' };

export const evolve = (state: State, event: Event): State => {
  switch (event.type) {
    case 'PhoneCodeRequested': {
      const { at: _, ...request } = event.data;
      return { status: 'requested', ...request, phone: null, purged: false };
    }
    case 'PhoneRegistered':
      return state.status === 'none'
        ? state
        : {
            ...state,
            status: 'registered',
            code: event.data.code,
            userId: event.data.userId,
            phone: { mac: event.data.mac, model: event.data.model, registeredAt: event.data.at },
          };
    case 'PhoneCodePurged':
      return state.status === 'none' ? state : { ...state, code: null, userId: state.phone === null ? null : state.userId, purged: true };
  }
};

/** What Profile shows for a code: pending until it expires, registered once a phone used it. */
export const codeState = (state: Requested, now: Timestamp): 'pending' | 'registered' | 'expired' =>
  state.phone !== null ? 'registered' : isAtOrAfter(now, state.expiresAt) ? 'expired' : 'pending';

/** From its expiry on, a code's digits are purged, and so is its user if it never became a phone. */
export const isPurgeable = (state: State, now: Timestamp): boolean =>
  state.status !== 'none' && !state.purged && isAtOrAfter(now, state.expiresAt);

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  switch (command.type) {
    case 'RequestPhoneCode': {
      if (state.status !== 'none') return E.left(domainError('conflict', 'a code with this hash was requested already'));
      if (command.user.status === 'none') return E.left(User.userNotFound);
      const { codeHash, code, category, expiresAt, rolloutId, now } = command;
      return E.right([
        { type: 'PhoneCodeRequested', data: { codeHash, code, userId: command.user.userId, category, rolloutId, expiresAt, at: now } },
      ]);
    }
    case 'RegisterPhone': {
      if (state.status === 'none') return E.left(domainError('not-found', 'no code of this user directory'));
      if (state.phone !== null) {
        return state.phone.mac === command.mac
          ? E.right([])
          : E.left(domainError('conflict', 'the code registered another phone'));
      }
      const { codeHash, code, userId, category, rolloutId } = state;
      if (userId === null) return E.left(domainError('not-found', 'the code expired and was purged'));
      return E.right([
        { type: 'PhoneRegistered', data: { codeHash, code, userId, category, rolloutId, mac: command.mac, model: command.model, at: command.now } },
      ]);
    }
    case 'PurgePhoneCode': {
      if (state.status === 'none' || state.purged) return E.right([]);
      if (!isPurgeable(state, command.now)) return E.left(domainError('conflict', 'the code has not expired'));
      const { codeHash, expiresAt } = state;
      return E.right([{ type: 'PhoneCodePurged', data: { codeHash, expiresAt, registered: state.phone !== null, at: command.now } }]);
    }
  }
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
