import { describe, expect, it } from 'vitest';
import { fold } from '../../../src/domain/decider';
import * as DevicesUrlReservation from '../../../src/domain/redirector/devices-url-reservation';
import * as Installation from '../../../src/domain/redirector/installation';
import * as MacClaim from '../../../src/domain/redirector/mac-claim';
import { deciderSpec } from '../decider-spec';
import { digest, id, MAC_A, name, T0, T1, url } from '../fixtures';

const devicesUrl = url('https://devices.example.com');

describe('Installation', () => {
  const given = deciderSpec(Installation.decider, Installation.Event);
  const register: Installation.Command = {
    type: 'RegisterInstallation',
    installationId: id('inst-1'),
    name: name('ACME'),
    devicesUrl,
    apiKeyHash: digest('ab'.repeat(32)),
    now: T0,
  };
  const registered: Installation.Event = {
    type: 'InstallationRegistered',
    data: { installationId: id('inst-1'), name: name('ACME'), devicesUrl, apiKeyHash: digest('ab'.repeat(32)), at: T0 },
  };

  it('is registered with its Devices URL and the hash of its API key', () => {
    given([]).when(register).then([registered]);
  });

  it('registering it twice is a conflict', () => {
    given([registered]).when(register).thenFails('conflict');
  });

  it('its state holds what code issue needs', () => {
    const state = fold(Installation.decider, [registered]);
    expect(state).toMatchObject({ status: 'registered', installationId: 'inst-1', devicesUrl });
    expect(Installation.streamName(id('inst-1'))).toBe('installation-inst-1');
  });

  const rotate: Installation.Command = { type: 'RotateApiKey', installationId: id('inst-1'), apiKeyHash: digest('cd'.repeat(32)), now: T1 };
  const rotated: Installation.Event = {
    type: 'InstallationApiKeyRotated',
    data: { installationId: id('inst-1'), apiKeyHash: digest('cd'.repeat(32)), at: T1 },
  };

  it('its API key is rotated: the new hash replaces the old one', () => {
    const state = given([registered]).when(rotate).then([rotated]);
    expect(state).toMatchObject({ status: 'registered', apiKeyHash: 'cd'.repeat(32), registeredAt: T0, apiKeyRotatedAt: T1 });
  });

  it('every rotation is recorded, even to a hash it had before', () => {
    given([registered, rotated]).when({ ...rotate, apiKeyHash: digest('ab'.repeat(32)) }).then([
      { type: 'InstallationApiKeyRotated', data: { installationId: id('inst-1'), apiKeyHash: digest('ab'.repeat(32)), at: T1 } },
    ]);
  });

  it('rotating the key of an installation never registered is not-found', () => {
    given([]).when(rotate).thenFails('not-found');
  });
});

describe('DevicesUrlReservation: several installations may not share one URL', () => {
  const given = deciderSpec(DevicesUrlReservation.decider, DevicesUrlReservation.Event);
  const reserve = (installationId: string): DevicesUrlReservation.Command => ({
    type: 'ReserveDevicesUrl',
    devicesUrl,
    installationId: id(installationId),
    now: T0,
  });
  const reserved: DevicesUrlReservation.Event = { type: 'DevicesUrlReserved', data: { devicesUrl, installationId: id('inst-1'), at: T0 } };

  it('a free URL is reserved for the installation', () => {
    given([]).when(reserve('inst-1')).then([reserved]);
  });

  it('the same installation again changes nothing', () => {
    given([reserved]).when(reserve('inst-1')).thenNothingHappens();
  });

  it('another installation for the same URL is a conflict', () => {
    given([reserved]).when(reserve('inst-2')).thenFails('conflict');
  });

  it('is keyed by the normalised URL', () => {
    expect(DevicesUrlReservation.streamName(url('https://Devices.example.com:443/'))).toBe('devicesUrl-https://devices.example.com');
  });
});

describe('MacClaim: phones claimed in advance', () => {
  const given = deciderSpec(MacClaim.decider, MacClaim.Event);
  const inst1 = { installationId: id('inst-1'), devicesUrl };
  const inst2 = { installationId: id('inst-2'), devicesUrl: url('https://other.example.com') };
  const claim = (installation = inst1): MacClaim.Command => ({ type: 'ClaimMac', mac: MAC_A, installation, now: T0 });
  const claimed: MacClaim.Event = { type: 'MacClaimed', data: { mac: MAC_A, installationId: id('inst-1'), devicesUrl, at: T0 } };

  it('an unclaimed MAC is claimed for the installation and its URL', () => {
    given([]).when(claim()).then([claimed]);
  });

  it('claiming it again by the same installation changes nothing', () => {
    given([claimed]).when({ ...claim(), now: T1 }).thenNothingHappens();
  });

  it('a MAC claimed by another installation is a conflict', () => {
    given([claimed]).when(claim(inst2)).thenFails('conflict');
  });

  it('phone/init redirects a claimed MAC and asks for a code otherwise', () => {
    expect(MacClaim.initAnswer(MacClaim.initialState)).toEqual({ action: 'prompt-code' });
    expect(MacClaim.initAnswer(fold(MacClaim.decider, [claimed]))).toEqual({ action: 'redirect', devicesUrl });
    expect(MacClaim.streamName(MAC_A)).toBe('macClaim-009033aabb01');
  });
});
