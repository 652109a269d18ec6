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
    const [a] = Rollout.allEntries(state.entries);
    if (a === undefined) throw new Error('no entry');
    expect(Rollout.entryState(a, JUST_BEFORE_EXPIRY)).toBe('pending');
    expect(Rollout.entryState(a, T0_PLUS_7D)).toBe('expired');
    const after = fold(Rollout.decider, [started, registered]) as Rollout.Started;
    expect(Rollout.allEntries(after.entries).map((e) => Rollout.entryState(e, AFTER_EXPIRY))).toEqual(['registered', 'expired']);
  });
});

describe('Rollout: many entries', () => {
  it('keeps each of 1,000 entries apart as they register one by one, sharing what did not change', () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({ ...alice, userId: id(`user${i}`), codeHash: `${'a'.repeat(60)}${String(i).padStart(4, '0')}` as typeof alice.codeHash }));
    let state = fold(Rollout.decider, [{ ...started, data: { ...started.data, entries: many } }]) as Rollout.Started;
    const first = state;
    for (const i of [999, 0, 500, 128, 127]) {
      const e = many[i]!;
      const decided = Rollout.decide({ type: 'RegisterRolloutEntry', rolloutId, userId: e.userId, codeHash: e.codeHash, mac: MAC_A, now: T1 }, state);
      if (decided._tag === 'Left') throw new Error(decided.left.detail);
      state = decided.right.reduce(Rollout.evolve, state as Rollout.State) as Rollout.Started;
    }
    const entries = Rollout.allEntries(state.entries);
    expect(entries.map((e) => e.userId)).toEqual(many.map((e) => e.userId));
    expect(entries.filter((e) => e.mac !== null).map((e) => e.userId)).toEqual([0, 127, 128, 500, 999].map((i) => id(`user${i}`)));
    expect(Rollout.entryOf(state.entries, id('user500'))?.mac).toBe(MAC_A);
    expect(Rollout.entryOf(state.entries, id('user501'))?.mac).toBeNull();
    expect(Rollout.entryOf(state.entries, id('nobody'))).toBeUndefined();
    // the state before is untouched
    expect(Rollout.allEntries(first.entries).map((e) => e.mac)).toEqual(many.map(() => null));
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
    const [entry] = Rollout.allEntries(state.entries);
    expect(entry && Rollout.entryState(entry, AFTER_EXPIRY)).toBe('pending');
    given([started, reissued]).when(register(MAC_A, fresh.codeHash, AFTER_EXPIRY)).then([
      { type: 'RolloutEntryRegistered', data: { rolloutId, userId: alice.userId, codeHash: fresh.codeHash, mac: MAC_A, at: AFTER_EXPIRY } },
    ]);
    given([started, reissued]).when(register(MAC_A, alice.codeHash, AFTER_EXPIRY)).then([
      { type: 'RolloutEntryRegistered', data: { rolloutId, userId: alice.userId, codeHash: alice.codeHash, mac: MAC_A, at: AFTER_EXPIRY } },
    ]);
    expect(Rollout.streamName(rolloutId)).toBe('rollout-r-1');
  });
});
