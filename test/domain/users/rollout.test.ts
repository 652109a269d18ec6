import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/domain/decider';
import * as PhoneApp from '../../../src/domain/users/phone-app';
import * as Rollout from '../../../src/domain/users/rollout';
import { deciderSpec } from '../decider-spec';
import { AFTER_EXPIRY, category, code, digest, id, JUST_BEFORE_EXPIRY, MAC_A, MAC_B, name, T0, T0_PLUS_7D, T1, T2, ts } from '../fixtures';

const given = deciderSpec(Rollout.decider, Rollout.Event);
const rolloutId = id('r-1');
const office = category('office');
const phoneApp = fold(PhoneApp.decider, [{ type: 'PhoneAppCreated', data: { phoneAppId: id('phone'), name: name('Phone'), at: T0 } }]);
const entry = (user: string, n: number): Rollout.RolloutEntry => ({
  userId: id(user),
  codeHash: digest(`${n}`.repeat(64).slice(0, 64)),
  code: code(`${n}`.repeat(12)),
  expiresAt: T0_PLUS_7D,
});
const alice = entry('alice', 1);
const bob = entry('bob', 2);
const start = (entries: readonly Rollout.RolloutEntry[] = [alice, bob], app: PhoneApp.State = phoneApp): Rollout.Command => ({
  type: 'StartRollout',
  rolloutId,
  category: office,
  phoneApp: app,
  entries,
  now: T0,
});
const started: Rollout.Event = {
  type: 'RolloutStarted',
  data: { rolloutId, category: office, phoneAppId: id('phone'), entries: [alice, bob], at: T0 },
};
const register = (mac = MAC_A, codeHash = alice.codeHash, now = T1): Rollout.Command => ({
  type: 'RegisterRolloutEntry',
  rolloutId,
  userId: alice.userId,
  codeHash,
  mac,
  now,
});
const registered: Rollout.Event = {
  type: 'RolloutEntryRegistered',
  data: { rolloutId, userId: alice.userId, codeHash: alice.codeHash, mac: MAC_A, at: T1 },
};
const fresh = { codeHash: digest('9'.repeat(64)), code: code('999999999999'), expiresAt: ts('2025-03-16T09:00:00Z') };
const reissue = (now = AFTER_EXPIRY, userId = alice.userId): Rollout.Command => ({ type: 'ReissueRolloutCode', rolloutId, userId, ...fresh, now });
const reissued: Rollout.Event = { type: 'RolloutCodeReissued', data: { rolloutId, userId: alice.userId, ...fresh, at: AFTER_EXPIRY } };

describe('Rollout: start', () => {
  it('starts with one code per user for a category and phone app', () => {
    given([]).when(start()).then([started]);
  });

  it('needs at least one user, each at most once, each with a code of its own', () => {
    given([]).when(start([])).thenFails('validation-failed');
    given([]).when(start([alice, alice])).thenFails('validation-failed');
    given([]).when(start([alice, { ...bob, codeHash: alice.codeHash }])).thenFails('validation-failed');
  });

  it('an unknown phone app is not-found; an existing rollout id is a conflict', () => {
    given([]).when(start([alice], PhoneApp.initialState)).thenFails('not-found');
    given([started]).when(start()).thenFails('conflict');
  });
});

describe('Rollout: entries go Pending → Registered', () => {
  it('an entry is registered once its phone comes up', () => {
    given([started]).when(register()).then([registered]);
  });

  it('the same phone again changes nothing; another phone is a conflict', () => {
    given([started, registered]).when(register(MAC_A, alice.codeHash, T2)).thenNothingHappens();
    given([started, registered]).when(register(MAC_B)).thenFails('conflict');
  });

  it('a code that is not the entry’s is a conflict; an unknown rollout or user is not-found', () => {
    given([started]).when(register(MAC_A, bob.codeHash)).thenFails('conflict');
    given([]).when(register()).thenFails('not-found');
    given([started]).when({ type: 'RegisterRolloutEntry', rolloutId, userId: id('carol'), codeHash: alice.codeHash, mac: MAC_A, now: T1 }).thenFails('not-found');
  });

  it('entry state is pending, then expired at its expiry, or registered', () => {
    const state = fold(Rollout.decider, [started]) as Rollout.Started;
    const [a] = state.entries;
    if (a === undefined) throw new Error('no entry');
    expect(Rollout.entryState(a, JUST_BEFORE_EXPIRY)).toBe('pending');
    expect(Rollout.entryState(a, T0_PLUS_7D)).toBe('expired');
    const after = fold(Rollout.decider, [started, registered]) as Rollout.Started;
    expect(after.entries.map((e) => Rollout.entryState(e, AFTER_EXPIRY))).toEqual(['registered', 'expired']);
  });
});

describe('Rollout: reissue', () => {
  it('an expired, unregistered entry gets a new code', () => {
    given([started]).when(reissue()).then([reissued]);
  });

  it('a pending or a registered entry is not reissued (conflict)', () => {
    given([started]).when(reissue(JUST_BEFORE_EXPIRY)).thenFails('conflict');
    given([started, registered]).when(reissue()).thenFails('conflict');
  });

  it('an unknown rollout or user is not-found', () => {
    given([]).when(reissue()).thenFails('not-found');
    given([started]).when(reissue(AFTER_EXPIRY, id('carol'))).thenFails('not-found');
  });

  it('after a reissue the entry is pending again, and either of its codes registers it', () => {
    const state = fold(Rollout.decider, [started, reissued]) as Rollout.Started;
    expect(state.entries[0] && Rollout.entryState(state.entries[0], AFTER_EXPIRY)).toBe('pending');
    given([started, reissued]).when(register(MAC_A, fresh.codeHash, AFTER_EXPIRY)).then([
      { type: 'RolloutEntryRegistered', data: { rolloutId, userId: alice.userId, codeHash: fresh.codeHash, mac: MAC_A, at: AFTER_EXPIRY } },
    ]);
    given([started, reissued]).when(register(MAC_A, alice.codeHash, AFTER_EXPIRY)).then([
      { type: 'RolloutEntryRegistered', data: { rolloutId, userId: alice.userId, codeHash: alice.codeHash, mac: MAC_A, at: AFTER_EXPIRY } },
    ]);
    expect(Rollout.streamName(rolloutId)).toBe('rollout-r-1');
  });
});
