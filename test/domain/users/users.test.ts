import { describe, expect, it } from 'vitest';
import * as PhoneApp from '../../../src/domain/users/phone-app';
import * as User from '../../../src/domain/users/user';
import { deciderSpec } from '../decider-spec';
import { digest, email, id, name, T0, T1 } from '../fixtures';

describe('User', () => {
  const given = deciderSpec(User.decider, User.Event);
  const alice = id('alice');
  const created: User.Event = { type: 'UserCreated', data: { userId: alice, name: name('Alice'), email: email('alice@example.com'), at: T0 } };
  const create: User.Command = { type: 'CreateUser', userId: alice, name: name('Alice'), email: email('alice@example.com'), now: T0 };
  const token = digest('70'.repeat(32));
  const tokenIssued: User.Event = { type: 'UserTokenIssued', data: { userId: alice, tokenHash: token, at: T1 } };

  it('is created with a name and, optionally, an e-mail address', () => {
    given([]).when(create).then([created]);
    given([])
      .when({ ...create, email: null })
      .then([{ type: 'UserCreated', data: { userId: alice, name: name('Alice'), email: null, at: T0 } }]);
  });

  it('creating it twice is a conflict (an import skips it)', () => {
    given([created]).when(create).thenFails('conflict');
  });

  it('gets tokens, kept as hashes; the same hash again changes nothing', () => {
    given([created]).when({ type: 'IssueUserToken', userId: alice, tokenHash: token, now: T1 }).then([tokenIssued]);
    given([created, tokenIssued]).when({ type: 'IssueUserToken', userId: alice, tokenHash: token, now: T1 }).thenNothingHappens();
  });

  it('a token for an unknown user is not-found', () => {
    given([]).when({ type: 'IssueUserToken', userId: alice, tokenHash: token, now: T1 }).thenFails('not-found');
    expect(User.streamName(alice)).toBe('user-alice');
  });
});

describe('PhoneApp', () => {
  const given = deciderSpec(PhoneApp.decider, PhoneApp.Event);
  const created: PhoneApp.Event = { type: 'PhoneAppCreated', data: { phoneAppId: id('phone'), name: name('Phone'), at: T0 } };

  it('is created once; again is a conflict', () => {
    given([]).when({ type: 'CreatePhoneApp', phoneAppId: id('phone'), name: name('Phone'), now: T0 }).then([created]);
    given([created]).when({ type: 'CreatePhoneApp', phoneAppId: id('phone'), name: name('Phone'), now: T1 }).thenFails('conflict');
    expect(PhoneApp.streamName(id('phone'))).toBe('phoneApp-phone');
  });
});
