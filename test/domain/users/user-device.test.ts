import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/domain/decider';
import { routeNotice } from '../../../src/domain/users/phone-notice';
import * as UnassignedPhone from '../../../src/domain/users/unassigned-phone';
import * as User from '../../../src/domain/users/user';
import * as UserDevice from '../../../src/domain/users/user-device';
import { deciderSpec } from '../decider-spec';
import { AFTER_EXPIRY, category, code, digest, id, JUST_BEFORE_EXPIRY, MAC_A, MAC_B, model, name, T0, T0_PLUS_7D, T1, T2 } from '../fixtures';

const given = deciderSpec(UserDevice.decider, UserDevice.Event);
const alice = fold(User.decider, [{ type: 'UserCreated', data: { userId: id('alice'), name: name('Alice'), email: null, at: T0 } }]);
const codeHash = digest('ab'.repeat(32));
const digits = code('123456789012');
const office = category('office');
const request = (user: User.State = alice): UserDevice.Command => ({
  type: 'RequestPhoneCode',
  codeHash,
  code: digits,
  user,
  category: office,
  expiresAt: T0_PLUS_7D,
  rolloutId: null,
  now: T0,
});
const requested: UserDevice.Event = {
  type: 'PhoneCodeRequested',
  data: { codeHash, code: digits, userId: id('alice'), category: office, rolloutId: null, expiresAt: T0_PLUS_7D, at: T0 },
};
const register = (mac = MAC_A, now = T1): UserDevice.Command => ({ type: 'RegisterPhone', codeHash, mac, model: model('IP112'), now });
const registered: UserDevice.Event = {
  type: 'PhoneRegistered',
  data: { codeHash, code: digits, userId: id('alice'), category: office, rolloutId: null, mac: MAC_A, model: model('IP112'), at: T1 },
};

describe('UserDevice: a code asked for a user', () => {
  it('Users stores the code with the user and the category', () => {
    given([]).when(request()).then([requested]);
  });

  it('an unknown user is not-found', () => {
    given([]).when(request(User.initialState)).thenFails('not-found');
  });

  it('requesting the same code hash again is a conflict', () => {
    given([requested]).when(request()).thenFails('conflict');
  });
});

describe('UserDevice: PhoneProvisioned makes a device of that user exactly once', () => {
  it('the notice turns the code into a device of the user who asked for it', () => {
    given([requested]).when(register()).then([registered]);
  });

  it('the same notice delivered again changes nothing', () => {
    given([requested, registered]).when(register(MAC_A, T2)).thenNothingHappens();
  });

  it('a notice with another MAC for a registered code is a conflict', () => {
    given([requested, registered]).when(register(MAC_B)).thenFails('conflict');
  });

  it('a notice for a code Users never handed out is not-found here (it goes to UnassignedPhone)', () => {
    given([]).when(register()).thenFails('not-found');
  });

  it('a notice arriving after the code expired still registers the phone it provisioned', () => {
    given([requested]).when(register(MAC_A, AFTER_EXPIRY)).then([{ ...registered, data: { ...registered.data, at: AFTER_EXPIRY } }]);
  });

  it('Profile shows a code pending, expired or registered', () => {
    const pending = fold(UserDevice.decider, [requested]) as UserDevice.Requested;
    expect(UserDevice.codeState(pending, JUST_BEFORE_EXPIRY)).toBe('pending');
    expect(UserDevice.codeState(pending, T0_PLUS_7D)).toBe('expired');
    expect(UserDevice.codeState(fold(UserDevice.decider, [requested, registered]) as UserDevice.Requested, AFTER_EXPIRY)).toBe('registered');
    expect(UserDevice.isPurgeable(pending, T0_PLUS_7D)).toBe(true);
    expect(UserDevice.isPurgeable(pending, JUST_BEFORE_EXPIRY)).toBe(false);
    expect(UserDevice.streamName(codeHash)).toBe(`userDevice-${codeHash}`);
  });
});

describe('routing PhoneProvisioned notices', () => {
  const notice = { noticeId: id('n-1'), mac: MAC_A, model: model('IP112'), code: digits };

  it('a notice for a code of this Users goes to its UserDevice', () => {
    expect(routeNotice(notice, codeHash, fold(UserDevice.decider, [requested]), T1)).toEqual({
      to: 'userDevice',
      codeHash,
      command: { type: 'RegisterPhone', codeHash, mac: MAC_A, model: model('IP112'), now: T1 },
    });
  });

  it('a notice for an unknown code is kept as an unassigned phone', () => {
    expect(routeNotice(notice, codeHash, UserDevice.initialState, T1)).toEqual({
      to: 'unassignedPhone',
      command: { type: 'RecordUnassignedPhone', mac: MAC_A, model: model('IP112'), code: digits, noticeId: id('n-1'), reason: 'unknown-code', now: T1 },
    });
  });

  it('a notice for a code that registered another phone is kept as an unassigned phone', () => {
    const registeredState = fold(UserDevice.decider, [requested, registered]);
    expect(routeNotice({ ...notice, mac: MAC_B }, codeHash, registeredState, T2)).toEqual({
      to: 'unassignedPhone',
      command: { type: 'RecordUnassignedPhone', mac: MAC_B, model: model('IP112'), code: digits, noticeId: id('n-1'), reason: 'code-used-by-other-phone', now: T2 },
    });
    expect(routeNotice(notice, codeHash, registeredState, T2)).toMatchObject({ to: 'userDevice' });
  });

  it('an approved pre-claimed phone (no code) is kept as an unassigned phone', () => {
    const route = routeNotice({ ...notice, code: null }, null, UserDevice.initialState, T1);
    expect(route).toMatchObject({ to: 'unassignedPhone', command: { reason: 'no-code', code: null } });
  });
});

describe('UnassignedPhone', () => {
  const givenPhone = deciderSpec(UnassignedPhone.decider, UnassignedPhone.Event);
  const record = (noticeId = 'n-1', now = T1): UnassignedPhone.Command => ({
    type: 'RecordUnassignedPhone',
    mac: MAC_A,
    model: model('IP112'),
    code: null,
    noticeId: id(noticeId),
    reason: 'no-code',
    now,
  });
  const recorded: UnassignedPhone.Event = {
    type: 'UnassignedPhoneRecorded',
    data: { mac: MAC_A, model: model('IP112'), code: null, noticeId: id('n-1'), reason: 'no-code', at: T1 },
  };
  const assign = (user: User.State = alice): UnassignedPhone.Command => ({ type: 'AssignPhoneToUser', mac: MAC_A, user, now: T2 });
  const assigned: UnassignedPhone.Event = {
    type: 'UnassignedPhoneAssigned',
    data: { mac: MAC_A, model: model('IP112'), userId: id('alice'), at: T2 },
  };
  const bob = fold(User.decider, [{ type: 'UserCreated', data: { userId: id('bob'), name: name('Bob'), email: null, at: T0 } }]);

  it('is recorded once per notice', () => {
    givenPhone([]).when(record()).then([recorded]);
    givenPhone([recorded]).when(record('n-1', T2)).thenNothingHappens();
  });

  it('an admin assigns it to a user; the same user again changes nothing', () => {
    givenPhone([recorded]).when(assign()).then([assigned]);
    givenPhone([recorded, assigned]).when(assign()).thenNothingHappens();
  });

  it('assigning it to another user is a conflict; an unknown phone or user is not-found', () => {
    givenPhone([recorded, assigned]).when(assign(bob)).thenFails('conflict');
    givenPhone([]).when(assign()).thenFails('not-found');
    givenPhone([recorded]).when(assign(User.initialState)).thenFails('not-found');
  });
});
