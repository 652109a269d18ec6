import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/domain/decider';
import * as DeviceCode from '../../../src/domain/devices/device-code';
import * as Tenant from '../../../src/domain/devices/tenant';
import { deciderSpec } from '../decider-spec';
import { AFTER_EXPIRY, category, digest, JUST_BEFORE_EXPIRY, MAC_A, MAC_B, T0, T0_PLUS_7D, T1, T2 } from '../fixtures';
import { EXAMPLE, exampleDomain, LAB, OFFICE, OTHER } from './fixtures';

const given = deciderSpec(DeviceCode.decider, DeviceCode.Event);
const codeHash = digest('d0'.repeat(32));

const assign = (categoryId = OFFICE, domainState: Tenant.State = exampleDomain, domain = EXAMPLE): DeviceCode.Command => ({
  type: 'AssignDeviceCode',
  codeHash,
  domain,
  category: categoryId,
  domainState,
  expiresAt: T0_PLUS_7D,
  now: T0,
});
const assigned: DeviceCode.Event = {
  type: 'DeviceCodeAssigned',
  data: { codeHash, domain: EXAMPLE, category: OFFICE, expiresAt: T0_PLUS_7D, at: T0 },
};
const use = (mac = MAC_A, now = T1): DeviceCode.Command => ({ type: 'UseDeviceCode', codeHash, mac, now });
const used: DeviceCode.Event = { type: 'DeviceCodeUsed', data: { codeHash, mac: MAC_A, domain: EXAMPLE, category: OFFICE, at: T1 } };

describe('DeviceCode: issue', () => {
  it('Devices stores the code hashed with domain and category', () => {
    given([]).when(assign()).then([assigned]);
  });

  it('codes may only be issued for enabled categories: a disabled one is forbidden', () => {
    given([]).when(assign(LAB)).thenFails('forbidden');
  });

  it('an unknown category or domain is not-found', () => {
    given([]).when(assign(category('nope'))).thenFails('not-found');
    given([]).when(assign(OFFICE, Tenant.initialState)).thenFails('not-found');
    given([]).when(assign(OFFICE, exampleDomain, OTHER)).thenFails('not-found');
  });

  it('assigning a hash twice is a conflict', () => {
    given([assigned]).when(assign()).thenFails('conflict');
  });
});

describe('DeviceCode: a code may provision exactly one phone', () => {
  it('binds to the first MAC', () => {
    given([assigned]).when(use()).then([used]);
  });

  it('the same MAC again (a retried provision) changes nothing', () => {
    given([assigned, used]).when(use(MAC_A, T2)).thenNothingHappens();
  });

  it('another MAC is unknown-code', () => {
    given([assigned, used]).when(use(MAC_B)).thenFails('unknown-code');
  });

  it('an unknown code is unknown-code', () => {
    given([]).when(use()).thenFails('unknown-code');
  });

  it('an expired code is unknown-code, from its expiry on', () => {
    given([assigned]).when(use(MAC_A, JUST_BEFORE_EXPIRY)).then([{ ...used, data: { ...used.data, at: JUST_BEFORE_EXPIRY } }]);
    given([assigned]).when(use(MAC_A, T0_PLUS_7D)).thenFails('unknown-code');
    given([assigned, used]).when(use(MAC_A, AFTER_EXPIRY)).thenFails('unknown-code');
  });

  it('all refusals are alike', () => {
    const a = given([]).when(use()).thenFails('unknown-code');
    const b = given([assigned, used]).when(use(MAC_B)).thenFails('unknown-code');
    const c = given([assigned]).when(use(MAC_A, AFTER_EXPIRY)).thenFails('unknown-code');
    expect(a).toEqual(b);
    expect(b).toEqual(c);
  });

  it('is purged, with the MAC it bound, once expired', () => {
    const state = fold(DeviceCode.decider, [assigned, used]);
    expect(DeviceCode.isPurgeable(state, JUST_BEFORE_EXPIRY)).toBe(false);
    expect(DeviceCode.isPurgeable(state, T0_PLUS_7D)).toBe(true);
    expect(DeviceCode.streamName(codeHash)).toBe(`deviceCode-${codeHash}`);
  });
});
