import { describe, expect, it } from 'vitest';
import * as ConfigJob from '../../../src/domain/devices/config-job';
import * as Device from '../../../src/domain/devices/device';
import * as Tenant from '../../../src/domain/devices/tenant';
import { byPrecedence, mergedConfig } from '../../../src/domain/devices/matching';
import * as UpdateJob from '../../../src/domain/devices/update-job';
import { fold } from '../../../src/domain/decider';
import { toNote, type CategorySelector, type JsonObject } from '../../../src/domain/values';
import { deciderSpec, rightOf } from '../decider-spec';
import { category, code, digest, firmware, id, MAC_A, model, T0, T1, T2, version } from '../fixtures';
import { EXAMPLE, exampleDomain, KIOSK, LAB, OFFICE, OTHER, otherDomain } from './fixtures';

const given = deciderSpec(Device.decider, Device.Event);

const mac = MAC_A;
const phone = { model: model('IP112'), firmware: version('13r1'), bootcode: version('13r1 boot') };
const cred1 = digest('c1'.repeat(32));
const cred2 = digest('c2'.repeat(32));
const grantA = { codeHash: digest('a1'.repeat(32)), code: code('111122223333'), domain: EXAMPLE, category: OFFICE };
const grantB = { codeHash: digest('b2'.repeat(32)), code: code('444455556666'), domain: EXAMPLE, category: KIOSK };
const grantOther = { codeHash: digest('0e'.repeat(32)), code: code('777788889999'), domain: OTHER, category: OFFICE };
const at = (place: { domain: typeof EXAMPLE; category: typeof OFFICE } = { domain: EXAMPLE, category: OFFICE }) => ({ mac, ...place });

const provisionWith = (grant: Device.CodeGrant, credentialHash = cred1, now = T0): Device.Command => ({
  type: 'ProvisionWithCode',
  mac,
  grant,
  ...phone,
  credentialHash,
  noticeId: id(`notice-${grant.code}`),
  now,
});
const provisioned = (grant: Device.CodeGrant = grantA, credentialHash = cred1, now = T0): Device.Event => ({
  type: 'DeviceProvisioned',
  data: {
    mac,
    domain: grant.domain,
    category: grant.category,
    ...phone,
    codeHash: grant.codeHash,
    code: grant.code,
    credentialHash,
    noticeId: id(`notice-${grant.code}`),
    at: now,
  },
});
const released = (place = at(), now = T1): Device.Event => ({ type: 'DeviceReleased', data: { ...place, at: now } });
const claimed: Device.Event = { type: 'DeviceClaimed', data: { ...at(), at: T0 } };
const awaiting: Device.Event = { type: 'DeviceApprovalRequested', data: { ...at(), ...phone, credentialHash: cred1, at: T1 } };
const approved: Device.Event = { type: 'DeviceApproved', data: { ...at(), model: phone.model, noticeId: id('notice-approval'), at: T2 } };

describe('Device: provision by code', () => {
  it('a new phone is provisioned into the domain and category of its code, with a credential and a notice for Users', () => {
    given([]).when(provisionWith(grantA)).then([provisioned()]);
  });

  it('a retried provision with the same code and MAC rotates the credential', () => {
    given([provisioned()])
      .when(provisionWith(grantA, cred2, T1))
      .then([{ type: 'DeviceCredentialRotated', data: { ...at(), credentialHash: cred2, at: T1 } }]);
  });

  it('a new code of the same domain provisions it again, into the new category', () => {
    given([provisioned()]).when(provisionWith(grantB, cred2, T1)).then([provisioned(grantB, cred2, T1)]);
  });

  it('a code of another domain is refused with device-owned-by-other-domain while it belongs to a domain', () => {
    given([provisioned()]).when(provisionWith(grantOther)).thenFails('device-owned-by-other-domain');
    given([claimed]).when(provisionWith(grantOther)).thenFails('device-owned-by-other-domain');
    given([claimed, awaiting]).when(provisionWith(grantOther)).thenFails('device-owned-by-other-domain');
  });

  it('once released by an admin, any domain may provision it', () => {
    given([provisioned(), released()]).when(provisionWith(grantOther, cred2, T2)).then([provisioned(grantOther, cred2, T2)]);
  });

  it('a code of the claiming domain provisions a claimed or waiting phone at once', () => {
    given([claimed]).when(provisionWith(grantA)).then([provisioned()]);
    given([claimed, awaiting]).when(provisionWith(grantA)).then([provisioned()]);
  });
});

describe('Device: release', () => {
  const release = (domain: typeof EXAMPLE | null = null, now = T1): Device.Command => ({ type: 'ReleaseDevice', mac, domain, now });

  it('an admin releases a phone from its domain', () => {
    given([provisioned()]).when(release()).then([released()]);
    given([provisioned()]).when(release(EXAMPLE)).then([released()]);
    given([claimed]).when(release()).then([released()]);
  });

  it('releasing again changes nothing', () => {
    given([provisioned(), released()]).when(release(null, T2)).thenNothingHappens();
  });

  it('an unknown phone, or one of another domain than the admin, is not-found', () => {
    given([]).when(release()).thenFails('not-found');
    given([provisioned()]).when(release(OTHER)).thenFails('not-found');
  });

  it('a released phone holds no credential any more', () => {
    const state = fold(Device.decider, [provisioned(), released()]);
    expect(state).toMatchObject({ status: 'released', credentialHash: null });
  });
});

describe('Device: pre-claim and approval (SPEC §5.4)', () => {
  const claim = (domain = EXAMPLE, categoryId = OFFICE, domainState: Tenant.State = exampleDomain): Device.Command => ({
    type: 'ClaimDevice',
    mac,
    domain,
    category: categoryId,
    domainState,
    now: T0,
  });
  const withoutCode = (credentialHash = cred1, now = T1): Device.Command => ({
    type: 'ProvisionWithoutCode',
    mac,
    ...phone,
    credentialHash,
    now,
  });
  const approve = (now = T2): Device.Command => ({ type: 'ApproveDevice', mac, noticeId: id('notice-approval'), now });

  it('an admin claims a MAC for a domain and category', () => {
    given([]).when(claim()).then([claimed]);
    given([provisioned(), released()]).when(claim()).then([claimed]);
  });

  it('claiming again changes nothing; with another category it moves the claim', () => {
    given([claimed]).when(claim()).thenNothingHappens();
    given([claimed]).when(claim(EXAMPLE, LAB)).then([{ type: 'DeviceClaimed', data: { ...at({ domain: EXAMPLE, category: LAB }), at: T0 } }]);
    given([provisioned()]).when(claim()).thenNothingHappens();
  });

  it('a claim needs an existing category of the domain', () => {
    given([]).when(claim(EXAMPLE, category('nope'))).thenFails('not-found');
    given([]).when(claim(EXAMPLE, OFFICE, Tenant.initialState)).thenFails('not-found');
  });

  it('a phone claimed or provisioned by another domain cannot be claimed', () => {
    given([claimed]).when(claim(OTHER, OFFICE, otherDomain)).thenFails('conflict');
    given([provisioned()]).when(claim(OTHER, OFFICE, otherDomain)).thenFails('device-owned-by-other-domain');
  });

  it('a claimed phone provisioning without a code waits for approval, with its own credential', () => {
    given([claimed]).when(withoutCode()).then([awaiting]);
  });

  it('a waiting phone that provisions again gets a new credential', () => {
    given([claimed, awaiting])
      .when(withoutCode(cred2, T2))
      .then([{ type: 'DeviceCredentialRotated', data: { ...at(), credentialHash: cred2, at: T2 } }]);
  });

  it('provision without a code for a MAC nobody claimed is unknown-code', () => {
    given([]).when(withoutCode()).thenFails('unknown-code');
    given([claimed, released()]).when(withoutCode()).thenFails('unknown-code');
  });

  it('an active phone cannot be taken over without a code (a MAC is no secret)', () => {
    given([provisioned()]).when(withoutCode(cred2)).thenFails('conflict');
    given([claimed, awaiting, approved]).when(withoutCode(cred2)).thenFails('conflict');
  });

  it('an admin approves a waiting phone, which raises its notice for Users', () => {
    given([claimed, awaiting]).when(approve()).then([approved]);
  });

  it('approving again changes nothing', () => {
    given([claimed, awaiting, approved]).when(approve()).thenNothingHappens();
  });

  it('approving a phone that is not waiting is not-found', () => {
    given([]).when(approve()).thenFails('not-found');
    given([claimed]).when(approve()).thenFails('not-found');
  });
});

describe('Device: check-in, firmware before config', () => {
  const job = fold(UpdateJob.decider, [
    {
      type: 'UpdateJobCreated',
      data: { jobId: id('job-1'), domain: EXAMPLE, category: OFFICE, firmware: firmware('13r3'), waves: [100], failureThreshold: 0.1, at: T0 },
    },
  ]) as UpdateJob.Created;
  const config = mergedConfig(
    [
      fold(ConfigJob.decider, [
        {
          type: 'ConfigJobCreated',
          data: { jobId: id('cfg-1'), domain: EXAMPLE, category: OFFICE, type: rightOf(ConfigJob.parseConfigType('sip')), params: { r: 'x' }, at: T0 },
        },
      ]) as ConfigJob.Created,
    ],
    EXAMPLE,
    OFFICE,
  );
  if (config === null) throw new Error('fixture: no config');
  const revision = config.revision;
  const checkIn = (over: Partial<Extract<Device.Command, { type: 'CheckIn' }>> = {}): Device.Command => ({
    type: 'CheckIn',
    mac,
    firmware: phone.firmware,
    bootcode: phone.bootcode,
    configRevision: null,
    updateJob: job,
    config,
    now: T1,
    ...over,
  });
  const firmwareOffered: Device.Event = { type: 'FirmwareOffered', data: { ...at(), jobId: id('job-1'), version: version('13r3'), at: T1 } };
  const firmwareApplied: Device.Event = { type: 'FirmwareApplied', data: { ...at(), jobId: id('job-1'), version: version('13r3'), at: T2 } };
  const configOffered: Device.Event = { type: 'ConfigOffered', data: { ...at(), revision, at: T2 } };
  const onNew = { firmware: version('13r3'), bootcode: version('13r3 boot') };

  it('a check-in with nothing new writes no event', () => {
    given([provisioned()]).when(checkIn({ updateJob: null, config: null })).thenNothingHappens();
  });

  it('the firmware of the latest job is offered once per job', () => {
    given([provisioned()]).when(checkIn()).then([firmwareOffered]);
    given([provisioned(), firmwareOffered]).when(checkIn({ now: T2 })).thenNothingHappens();
  });

  it('other versions than the state holds are recorded', () => {
    given([provisioned()])
      .when(checkIn({ firmware: version('13r2'), updateJob: null, config: null }))
      .then([{ type: 'DeviceVersionsChanged', data: { ...at(), firmware: version('13r2'), bootcode: phone.bootcode, configRevision: null, at: T1 } }]);
  });

  it('a phone reporting the offered version has applied it, and is then offered the config', () => {
    given([provisioned(), firmwareOffered])
      .when(checkIn({ ...onNew, now: T2 }))
      .then([
        { type: 'DeviceVersionsChanged', data: { ...at(), ...onNew, configRevision: null, at: T2 } },
        firmwareApplied,
        configOffered,
      ]);
  });

  it('the config is offered until the phone reports the current revision', () => {
    const versions: Device.Event = { type: 'DeviceVersionsChanged', data: { ...at(), ...onNew, configRevision: null, at: T2 } };
    const history = [provisioned(), firmwareOffered, versions, firmwareApplied, configOffered];
    given(history).when(checkIn({ ...onNew, now: T2 })).thenNothingHappens();
    const state = fold(Device.decider, history);
    expect(Device.checkInAnswer(state, job, config)).toEqual({ firmware: null, config });
    given(history)
      .when(checkIn({ ...onNew, configRevision: revision, now: T2 }))
      .then([
        { type: 'DeviceVersionsChanged', data: { ...at(), ...onNew, configRevision: revision, at: T2 } },
        { type: 'ConfigApplied', data: { ...at(), revision, at: T2 } },
      ]);
  });

  it('a phone awaiting approval is offered nothing; its versions are still recorded', () => {
    const waiting = [claimed, awaiting];
    given(waiting).when(checkIn()).thenNothingHappens();
    given(waiting)
      .when(checkIn(onNew))
      .then([{ type: 'DeviceVersionsChanged', data: { ...at(), ...onNew, configRevision: null, at: T1 } }]);
    expect(Device.checkInAnswer(fold(Device.decider, waiting), job, config)).toEqual({ firmware: null, config: null });
  });

  it('a phone that is not provisioned cannot check in', () => {
    given([]).when(checkIn()).thenFails('not-found');
    given([provisioned(), released()]).when(checkIn()).thenFails('not-found');
  });

  describe('reports', () => {
    const report = (outcome: Device.Outcome, jobId = id('job-1')): Device.Command => ({
      type: 'ReportFirmware',
      mac,
      jobId,
      outcome,
      detail: outcome === 'failed' ? toNote('checksum mismatch') : null,
      now: T2,
    });

    it('firmware applied or failed is recorded for the offered job', () => {
      given([provisioned(), firmwareOffered]).when(report('applied')).then([firmwareApplied]);
      given([provisioned(), firmwareOffered])
        .when(report('failed'))
        .then([{ type: 'FirmwareFailed', data: { ...at(), jobId: id('job-1'), version: version('13r3'), detail: toNote('checksum mismatch'), at: T2 } }]);
    });

    it('the same outcome again changes nothing', () => {
      given([provisioned(), firmwareOffered, firmwareApplied]).when(report('applied')).thenNothingHappens();
    });

    it('a report for a job never offered is a conflict', () => {
      given([provisioned()]).when(report('applied')).thenFails('conflict');
      given([provisioned(), firmwareOffered]).when(report('applied', id('job-2'))).thenFails('conflict');
    });

    it('config applied or failed is recorded for the offered revision; others are a conflict', () => {
      const reportConfig = (outcome: Device.Outcome, rev = revision): Device.Command => ({
        type: 'ReportConfig',
        mac,
        revision: rev,
        outcome,
        detail: null,
        now: T2,
      });
      const offered = [provisioned(), { ...configOffered, data: { ...configOffered.data, at: T1 } }];
      given(offered).when(reportConfig('applied')).then([{ type: 'ConfigApplied', data: { ...at(), revision, at: T2 } }]);
      given(offered).when(reportConfig('failed')).then([{ type: 'ConfigFailed', data: { ...at(), revision, detail: null, at: T2 } }]);
      given([provisioned()]).when(reportConfig('applied')).thenFails('conflict');
    });

    it('a phone that is not provisioned cannot report', () => {
      given([]).when(report('applied')).thenFails('not-found');
    });
  });
});

describe('Device: check-in, a job naming the category beats `*`', () => {
  const updateJob = (jobId: string, selector: CategorySelector, ver: string) =>
    fold(UpdateJob.decider, [{ type: 'UpdateJobCreated', data: { jobId: id(jobId), domain: EXAMPLE, category: selector, firmware: firmware(ver), waves: [100], failureThreshold: 0.1, at: T0 } }]) as UpdateJob.Created;
  const configJob = (jobId: string, selector: CategorySelector, type: string, params: JsonObject) =>
    fold(ConfigJob.decider, [{ type: 'ConfigJobCreated', data: { jobId: id(jobId), domain: EXAMPLE, category: selector, type: rightOf(ConfigJob.parseConfigType(type)), params, at: T0 } }]) as ConfigJob.Created;
  // what the read models hold per category selector: the head update job, the merged config
  const named = updateJob('job-office', OFFICE, '13r3');
  const star = updateJob('job-star', '*', '13r4');
  const configJobs = [configJob('cfg-office', OFFICE, 'sip', { r: 'office' }), configJob('cfg-star', '*', 'sip', { r: 'star' }), configJob('cfg-time', '*', 'time', { tz: 'UTC' })];
  const merged = new Map([OFFICE, '*' as CategorySelector].map((s) => [s, mergedConfig(configJobs, EXAMPLE, s as typeof OFFICE)!] as const));
  const kiosk = { domain: EXAMPLE, category: KIOSK };
  const checkIn = (heads: ReadonlyMap<CategorySelector, UpdateJob.Created>, categoryId: typeof OFFICE, over: Partial<Extract<Device.Command, { type: 'CheckIn' }>> = {}): Device.Command => ({
    type: 'CheckIn',
    mac,
    ...phone,
    configRevision: null,
    updateJob: byPrecedence(categoryId, (s) => heads.get(s)),
    config: byPrecedence(categoryId, (s) => merged.get(s)),
    now: T1,
    ...over,
  });

  it('a phone of the named category is offered the named job, not the newer `*` one', () => {
    given([provisioned()])
      .when(checkIn(new Map<CategorySelector, UpdateJob.Created>([[OFFICE, named], ['*', star]]), OFFICE))
      .then([{ type: 'FirmwareOffered', data: { ...at(), jobId: id('job-office'), version: version('13r3'), at: T1 } }]);
  });

  it('a phone of another category, or of the named one once its job is gone, is offered the `*` job', () => {
    given([provisioned(grantB)])
      .when(checkIn(new Map<CategorySelector, UpdateJob.Created>([[OFFICE, named], ['*', star]]), KIOSK))
      .then([{ type: 'FirmwareOffered', data: { ...at(kiosk), jobId: id('job-star'), version: version('13r4'), at: T1 } }]);
    given([provisioned()])
      .when(checkIn(new Map<CategorySelector, UpdateJob.Created>([['*', star]]), OFFICE))
      .then([{ type: 'FirmwareOffered', data: { ...at(), jobId: id('job-star'), version: version('13r4'), at: T1 } }]);
  });

  it('config: per type the named job wins and `*` fills the other types; a category without jobs gets `*` alone', () => {
    const office = merged.get(OFFICE)!;
    expect(office.settings).toEqual({ sip: { r: 'office' }, time: { tz: 'UTC' } });
    given([provisioned()])
      .when(checkIn(new Map(), OFFICE))
      .then([{ type: 'ConfigOffered', data: { ...at(), revision: office.revision, at: T1 } }]);
    expect(merged.get('*')!.settings).toEqual({ sip: { r: 'star' }, time: { tz: 'UTC' } });
    given([provisioned(grantB)])
      .when(checkIn(new Map(), KIOSK))
      .then([{ type: 'ConfigOffered', data: { ...at(kiosk), revision: merged.get('*')!.revision, at: T1 } }]);
  });
});

describe('Device: PhoneProvisioned notices', () => {
  const ack = (noticeId: string, domain = EXAMPLE): Device.Command => ({ type: 'AcknowledgeNotice', mac, domain, noticeId: id(noticeId), now: T1 });
  const acknowledged: Device.Event = {
    type: 'PhoneProvisionedAcknowledged',
    data: { mac, domain: EXAMPLE, noticeId: id('notice-111122223333'), at: T1 },
  };

  it('a notice is acknowledged once by the Users of its domain; again changes nothing', () => {
    given([provisioned()]).when(ack('notice-111122223333')).then([acknowledged]);
    given([provisioned(), acknowledged]).when(ack('notice-111122223333')).thenNothingHappens();
  });

  it('an unknown notice, or one of another domain, is not-found', () => {
    given([provisioned()]).when(ack('notice-x')).thenFails('not-found');
    given([provisioned()]).when(ack('notice-111122223333', OTHER)).thenFails('not-found');
  });

  it('every event names the device; the stream is keyed by MAC', () => {
    expect(Device.streamName(mac)).toBe('device-009033aabb01');
  });
});
