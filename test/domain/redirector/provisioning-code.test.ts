import * as E from 'fp-ts/Either';
import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/domain/decider';
import * as ProvisioningCode from '../../../src/domain/redirector/provisioning-code';
import { deciderSpec } from '../decider-spec';
import {
  AFTER_EXPIRY,
  digest,
  id,
  ip,
  JUST_BEFORE_EXPIRY,
  MAC_A,
  MAC_B,
  model,
  T0,
  T0_PLUS_7D,
  T1,
  T2,
  url,
  version,
} from '../fixtures';

const given = deciderSpec(ProvisioningCode.decider, ProvisioningCode.Event);

const codeHash = digest('c0de'.repeat(16));
const installation = { installationId: id('inst-1'), devicesUrl: url('https://devices.example.com') };
const other = { installationId: id('inst-2'), devicesUrl: url('https://other.example.com') };

const issue = (devicesUrl = url('https://devices.example.com/acme'), now = T0): ProvisioningCode.Command => ({
  type: 'IssueCode',
  codeHash,
  installation,
  devicesUrl,
  now,
});
const issued: ProvisioningCode.Event = {
  type: 'CodeIssued',
  data: {
    codeHash,
    installationId: installation.installationId,
    devicesUrl: url('https://devices.example.com/acme'),
    issuedAt: T0,
    expiresAt: T0_PLUS_7D,
  },
};
const phone = { model: model('IP112'), firmware: version('13r3 sr5'), bootcode: version('13r3 boot'), localIp: ip('192.168.1.20') };
const redeem = (mac = MAC_A, now = T1): ProvisioningCode.Command => ({ type: 'RedeemCode', codeHash, mac, ...phone, now });
const redeemed: ProvisioningCode.Event = { type: 'CodeRedeemed', data: { codeHash, mac: MAC_A, ...phone, at: T1 } };
const revoked: ProvisioningCode.Event = { type: 'CodeRevoked', data: { codeHash, at: T1 } };
const expired: ProvisioningCode.Event = { type: 'CodeExpired', data: { codeHash, at: AFTER_EXPIRY } };

describe('ProvisioningCode: issue', () => {
  it('is issued with the Devices URL and expires 7 days after issue', () => {
    given([]).when(issue()).then([issued]);
  });

  it('may be issued for the exact registered URL', () => {
    given([])
      .when(issue(installation.devicesUrl))
      .then([{ ...issued, data: { ...issued.data, devicesUrl: installation.devicesUrl } }]);
  });

  it('refuses a Devices URL outside the installation URL with forbidden', () => {
    given([]).when(issue(url('https://devices.example.com.evil.net'))).thenFails('forbidden');
    given([]).when(issue(url('https://devices.example.community'))).thenFails('forbidden');
  });

  it('refuses to issue on an existing stream with conflict (a colliding random code is drawn again)', () => {
    given([issued]).when(issue()).thenFails('conflict');
  });
});

describe('ProvisioningCode: redeem', () => {
  it('binds to the first MAC that redeems it, keeping what the phone told', () => {
    given([issued]).when(redeem()).then([redeemed]);
  });

  it('the same MAC again is accepted and changes nothing', () => {
    given([issued, redeemed]).when(redeem(MAC_A, T2)).thenNothingHappens();
  });

  it('another MAC is refused with unknown-code', () => {
    given([issued, redeemed]).when(redeem(MAC_B)).thenFails('unknown-code');
  });

  it('a never-issued code is refused with unknown-code', () => {
    given([]).when(redeem()).thenFails('unknown-code');
  });

  it('a revoked code is refused with unknown-code, even for its own MAC', () => {
    given([issued, revoked]).when(redeem()).thenFails('unknown-code');
    given([issued, redeemed, revoked]).when(redeem()).thenFails('unknown-code');
  });

  it('a code is usable until just before its expiry and refused with unknown-code from then on', () => {
    given([issued]).when(redeem(MAC_A, JUST_BEFORE_EXPIRY)).then([{ ...redeemed, data: { ...redeemed.data, at: JUST_BEFORE_EXPIRY } }]);
    given([issued]).when(redeem(MAC_A, T0_PLUS_7D)).thenFails('unknown-code');
    given([issued, redeemed]).when(redeem(MAC_A, T0_PLUS_7D)).thenFails('unknown-code');
    given([issued, expired]).when(redeem(MAC_A, T1)).thenFails('unknown-code');
  });

  it('every refusal of a code is the same: a guesser learns nothing', () => {
    const refusals = [
      given([]).when(redeem()).thenFails('unknown-code'),
      given([issued, redeemed]).when(redeem(MAC_B)).thenFails('unknown-code'),
      given([issued, revoked]).when(redeem()).thenFails('unknown-code'),
      given([issued]).when(redeem(MAC_A, AFTER_EXPIRY)).thenFails('unknown-code'),
      given([issued, expired]).when(redeem()).thenFails('unknown-code'),
    ];
    for (const refusal of refusals) expect(refusal).toEqual(ProvisioningCode.unknownCode);
  });
});

describe('ProvisioningCode: revoke', () => {
  const revoke = (installationId = installation.installationId, now = T1): ProvisioningCode.Command => ({
    type: 'RevokeCode',
    codeHash,
    installationId,
    now,
  });

  it('is revoked by the installation that issued it', () => {
    given([issued]).when(revoke()).then([revoked]);
    given([issued, redeemed]).when(revoke()).then([revoked]);
  });

  it('revoking again changes nothing', () => {
    given([issued, revoked]).when(revoke(installation.installationId, T2)).thenNothingHappens();
  });

  it('another installation gets unknown-code', () => {
    given([issued]).when(revoke(other.installationId)).thenFails('unknown-code');
  });

  it('an unknown or expired code gets unknown-code', () => {
    given([]).when(revoke()).thenFails('unknown-code');
    given([issued]).when(revoke(installation.installationId, AFTER_EXPIRY)).thenFails('unknown-code');
    given([issued, expired]).when(revoke()).thenFails('unknown-code');
  });
});

describe('ProvisioningCode: expire, purge and audit', () => {
  const expire = (now = AFTER_EXPIRY): ProvisioningCode.Command => ({ type: 'ExpireCode', codeHash, now });

  it('expires at or after its expiry time', () => {
    given([issued]).when(expire(T0_PLUS_7D)).then([{ type: 'CodeExpired', data: { codeHash, at: T0_PLUS_7D } }]);
    given([issued, redeemed]).when(expire()).then([expired]);
  });

  it('refuses to expire before its time with conflict', () => {
    given([issued]).when(expire(JUST_BEFORE_EXPIRY)).thenFails('conflict');
  });

  it('expiring an ended code changes nothing; an unknown code is unknown-code', () => {
    given([issued, expired]).when(expire()).thenNothingHappens();
    given([issued, revoked]).when(expire()).thenNothingHappens();
    given([]).when(expire()).thenFails('unknown-code');
  });

  it('an ended code is to be purged, an active one is not', () => {
    expect(ProvisioningCode.isPurgeable(fold(ProvisioningCode.decider, [issued, redeemed]))).toBe(false);
    expect(ProvisioningCode.isPurgeable(fold(ProvisioningCode.decider, [issued, redeemed, expired]))).toBe(true);
    expect(ProvisioningCode.isPurgeable(fold(ProvisioningCode.decider, [issued, revoked]))).toBe(true);
  });

  it('the audit record of an ended code holds no personal data', () => {
    const state = fold(ProvisioningCode.decider, [issued, redeemed, expired]);
    const record = ProvisioningCode.auditRecord(state);
    expect(record).toEqual({
      codeHash,
      installationId: installation.installationId,
      devicesUrl: url('https://devices.example.com/acme'),
      issuedAt: T0,
      expiresAt: T0_PLUS_7D,
      redeemed: true,
      endedAt: AFTER_EXPIRY,
      reason: 'expired',
    });
    const text = JSON.stringify(record);
    for (const personal of [MAC_A, phone.localIp, phone.model, phone.firmware, phone.bootcode, T1]) {
      expect(text).not.toContain(personal);
    }
  });

  it('an active code has no audit record yet', () => {
    expect(ProvisioningCode.auditRecord(fold(ProvisioningCode.decider, [issued]))).toBeNull();
    expect(ProvisioningCode.auditRecord(ProvisioningCode.initialState)).toBeNull();
  });
});

describe('ProvisioningCode: stored events', () => {
  it('are decoded, not trusted', () => {
    expect(E.isRight(ProvisioningCode.Event.decode({ id: 'x', type: 'CodeIssued', data: issued.data, metadata: {} }))).toBe(true);
    expect(E.isLeft(ProvisioningCode.Event.decode({ type: 'CodeIssued', data: { ...issued.data, expiresAt: 'soon' } }))).toBe(true);
    expect(E.isLeft(ProvisioningCode.Event.decode({ type: 'CodeIssued', data: { ...issued.data, codeHash: 'x' } }))).toBe(true);
    expect(E.isLeft(ProvisioningCode.Event.decode({ type: 'CodeStolen', data: {} }))).toBe(true);
    expect(E.isLeft(ProvisioningCode.Event.decode({ type: 'CodeRedeemed', data: { ...redeemed.data, mac: '00:90:33:aa:bb:01' } }))).toBe(true);
  });

  it('the stream is keyed by the keyed hash of the code', () => {
    expect(ProvisioningCode.streamName(codeHash)).toBe(`code-${codeHash}`);
  });
});
