/**
 * SPEC §2 flows, end to end through the pure deciders: each step decides on the streams it
 * names, as the application will, with an array per stream standing in for the store.
 */
import * as E from 'fp-ts/Either';
import { describe, expect, it } from 'vitest';
import {
  ConfigJob,
  Device,
  DeviceCode,
  Tenant,
  fold,
  Installation,
  latestUpdateJob,
  MacClaim,
  mergedConfig,
  PhoneApp,
  ProvisioningCode,
  Rollout,
  routeNotice,
  UpdateJob,
  User,
  UserDevice,
  type Decider,
  type DomainError,
  type DomainEvent,
} from '../../src/domain';
import { rightOf } from './decider-spec';
import { AFTER_EXPIRY, category, code, digest, domainName, firmware, id, ip, MAC_A, MAC_B, model, name, sealed, T0, T1, T2, url, version } from './fixtures';

/** Streams as arrays; `run` folds one, decides and appends. */
const world = () => {
  const streams = new Map<string, DomainEvent[]>();
  const state = <C, Ev extends DomainEvent, S>(decider: Decider<C, Ev, S>, stream: string): S =>
    fold(decider, (streams.get(stream) ?? []) as Ev[]);
  const run = <C, Ev extends DomainEvent, S>(decider: Decider<C, Ev, S>, stream: string, command: C): E.Either<DomainError, readonly Ev[]> => {
    const result = decider.decide(command, state(decider, stream));
    if (E.isRight(result)) streams.set(stream, [...(streams.get(stream) ?? []), ...result.right]);
    return result;
  };
  const ok = <C, Ev extends DomainEvent, S>(decider: Decider<C, Ev, S>, stream: string, command: C): readonly Ev[] =>
    rightOf(run(decider, stream, command));
  return { streams, state, run, ok };
};

const example = domainName('example.com');
const office = category('office');
const devicesUrl = url('https://devices.example.com');
const phoneFacts = { model: model('IP112'), firmware: version('13r1'), bootcode: version('13r1 boot') };

/** Everything up to a code shown in Profile. */
const setUp = () => {
  const w = world();
  w.ok(Installation.decider, Installation.streamName(id('inst')), {
    type: 'RegisterInstallation',
    installationId: id('inst'),
    name: name('ACME'),
    devicesUrl,
    apiKeyHash: digest('k'.repeat(32)),
    now: T0,
  });
  w.ok(Tenant.decider, Tenant.streamName(example), { type: 'CreateDomain', domain: example, appPasswordSealed: sealed('sealed-password-1'), now: T0 });
  w.ok(Tenant.decider, Tenant.streamName(example), { type: 'AddCategory', domain: example, categoryId: office, name: name('Office'), provisioning: true, now: T0 });
  w.ok(User.decider, User.streamName(id('alice')), { type: 'CreateUser', userId: id('alice'), name: name('Alice'), email: null, now: T0 });
  const digits = code('1234 5678 9012');
  const redirectorHash = digest('r'.repeat(64));
  const devicesHash = digest('d'.repeat(64));
  const usersHash = digest('u'.repeat(64));
  // 3. Users asks Devices, Devices asks the Redirector, each stores the code its own way
  const domainState = w.state(Tenant.decider, Tenant.streamName(example));
  rightOf(Tenant.categoryForProvisioning(domainState, office));
  const installation = w.state(Installation.decider, Installation.streamName(id('inst'))) as Installation.Registered;
  const [issued] = w.ok(ProvisioningCode.decider, ProvisioningCode.streamName(redirectorHash), {
    type: 'IssueCode',
    codeHash: redirectorHash,
    installation,
    devicesUrl,
    now: T0,
  });
  if (issued?.type !== 'CodeIssued') throw new Error('not issued');
  const { expiresAt } = issued.data;
  w.ok(DeviceCode.decider, DeviceCode.streamName(devicesHash), {
    type: 'AssignDeviceCode',
    codeHash: devicesHash,
    domain: example,
    category: office,
    domainState,
    expiresAt,
    now: T0,
  });
  w.ok(UserDevice.decider, UserDevice.streamName(usersHash), {
    type: 'RequestPhoneCode',
    codeHash: usersHash,
    code: digits,
    user: w.state(User.decider, User.streamName(id('alice'))),
    category: office,
    expiresAt,
    rolloutId: null,
    now: T0,
  });
  return { w, digits, redirectorHash, devicesHash, usersHash, expiresAt };
};

/** 4.–5. The phone redeems at the Redirector and provisions at Devices. */
const provision = (s: ReturnType<typeof setUp>, mac = MAC_A, now = T1) => {
  const { w } = s;
  const redeemed = w.run(ProvisioningCode.decider, ProvisioningCode.streamName(s.redirectorHash), {
    type: 'RedeemCode',
    codeHash: s.redirectorHash,
    mac,
    ...phoneFacts,
    localIp: ip('192.168.1.20'),
    now,
  });
  if (E.isLeft(redeemed)) return redeemed;
  const codeState = w.state(DeviceCode.decider, DeviceCode.streamName(s.devicesHash));
  const usable = DeviceCode.usableBy(codeState, mac, now);
  if (E.isLeft(usable)) return usable;
  const grant = { codeHash: s.devicesHash, code: s.digits, domain: usable.right.domain, category: usable.right.category };
  const command: Device.Command = {
    type: 'ProvisionWithCode',
    mac,
    grant,
    ...phoneFacts,
    credentialHash: digest(`cred-${now}`.replace(/[^A-Za-z0-9]/g, '').padEnd(16, '0')),
    noticeId: id(`notice-${mac}`),
    now,
  };
  const check = Device.decide(command, w.state(Device.decider, Device.streamName(mac)));
  if (E.isLeft(check)) return check;
  rightOf(w.run(DeviceCode.decider, DeviceCode.streamName(s.devicesHash), { type: 'UseDeviceCode', codeHash: s.devicesHash, mac, now }));
  return w.run(Device.decider, Device.streamName(mac), command);
};

describe('SPEC §2: a user adds a new phone', () => {
  it('1. a new phone is asked for a code at phone/init unless its MAC was claimed', () => {
    expect(MacClaim.initAnswer(MacClaim.initialState)).toEqual({ action: 'prompt-code' });
  });

  it('2.–6. code issued, typed, redeemed, provisioned, and the phone becomes a device of the user who asked', () => {
    const s = setUp();
    const events = rightOf(provision(s));
    expect(events.map((e) => e.type)).toEqual(['DeviceProvisioned']);
    const device = s.w.state(Device.decider, Device.streamName(MAC_A));
    expect(device).toMatchObject({ status: 'active', domain: 'example.com', category: 'office' });
    // 6. Devices' notice reaches Users: the code's UserDevice registers the phone once
    const notice = { noticeId: id(`notice-${MAC_A}`), mac: MAC_A, model: phoneFacts.model, code: s.digits };
    for (let delivery = 0; delivery < 3; delivery++) {
      const route = routeNotice(notice, s.usersHash, s.w.state(UserDevice.decider, UserDevice.streamName(s.usersHash)), T2);
      if (route.to !== 'userDevice') throw new Error('not routed to the user');
      s.w.ok(UserDevice.decider, UserDevice.streamName(route.codeHash), route.command);
      s.w.ok(Device.decider, Device.streamName(MAC_A), { type: 'AcknowledgeNotice', mac: MAC_A, domain: example, noticeId: notice.noticeId, now: T2 });
    }
    expect(s.w.streams.get(UserDevice.streamName(s.usersHash))?.map((e) => e.type)).toEqual(['PhoneCodeRequested', 'PhoneRegistered']);
    expect(s.w.streams.get(Device.streamName(MAC_A))?.map((e) => e.type)).toEqual(['DeviceProvisioned', 'PhoneProvisionedAcknowledged']);
  });

  it('a phone that rebooted redeems and provisions again with the same code: its credential is rotated', () => {
    const s = setUp();
    rightOf(provision(s));
    const again = rightOf(provision(s, MAC_A, T2));
    expect(again.map((e) => e.type)).toEqual(['DeviceCredentialRotated']);
  });

  it('a code binds to the first MAC: another phone gets unknown-code, at the Redirector and at Devices', () => {
    const s = setUp();
    rightOf(provision(s));
    const other = provision(s, MAC_B);
    expect(E.isLeft(other) && other.left.code).toBe('unknown-code');
    expect(E.isLeft(DeviceCode.usableBy(s.w.state(DeviceCode.decider, DeviceCode.streamName(s.devicesHash)), MAC_B, T2))).toBe(true);
  });

  it('after 7 days the code is refused everywhere with unknown-code', () => {
    const s = setUp();
    const late = provision(s, MAC_A, AFTER_EXPIRY);
    expect(E.isLeft(late) && late.left.code).toBe('unknown-code');
  });

  it('a phone of another domain is not moved by a code: device-owned-by-other-domain until released', () => {
    const s = setUp();
    const other = domainName('other.example');
    s.w.ok(Device.decider, Device.streamName(MAC_A), {
      type: 'ProvisionWithCode',
      mac: MAC_A,
      grant: { codeHash: digest('o'.repeat(64)), code: code('999988887777'), domain: other, category: office },
      ...phoneFacts,
      credentialHash: digest('x'.repeat(64)),
      noticeId: id('n-other'),
      now: T0,
    });
    const refused = provision(s);
    expect(E.isLeft(refused) && refused.left.code).toBe('device-owned-by-other-domain');
    // the refused phone did not use up the code at Devices
    expect(s.w.state(DeviceCode.decider, DeviceCode.streamName(s.devicesHash))).toMatchObject({ usedBy: null });
    s.w.ok(Device.decider, Device.streamName(MAC_A), { type: 'ReleaseDevice', mac: MAC_A, domain: other, now: T1 });
    expect(rightOf(provision(s, MAC_A, T2)).map((e) => e.type)).toEqual(['DeviceProvisioned']);
  });
});

describe('SPEC §2: an administrator rolls out many phones', () => {
  it('one code per user, Pending → Registered as each phone comes up', () => {
    const s = setUp();
    s.w.ok(PhoneApp.decider, PhoneApp.streamName(id('phone')), { type: 'CreatePhoneApp', phoneAppId: id('phone'), name: name('Phone'), now: T0 });
    s.w.ok(Rollout.decider, Rollout.streamName(id('r1')), {
      type: 'StartRollout',
      rolloutId: id('r1'),
      category: office,
      phoneApp: s.w.state(PhoneApp.decider, PhoneApp.streamName(id('phone'))),
      entries: [{ userId: id('alice'), codeHash: s.usersHash, code: s.digits, expiresAt: s.expiresAt }],
      now: T0,
    });
    const entryStates = () =>
      Rollout.allEntries((s.w.state(Rollout.decider, Rollout.streamName(id('r1'))) as Rollout.Started).entries).map((e) => Rollout.entryState(e, T2));
    expect(entryStates()).toEqual(['pending']);
    rightOf(provision(s));
    s.w.ok(Rollout.decider, Rollout.streamName(id('r1')), {
      type: 'RegisterRolloutEntry',
      rolloutId: id('r1'),
      userId: id('alice'),
      codeHash: s.usersHash,
      mac: MAC_A,
      now: T2,
    });
    expect(entryStates()).toEqual(['registered']);
  });
});

describe('SPEC §2: software and config updates', () => {
  it('a phone is brought to the latest matching update job first, then gets the latest config job of every type', () => {
    const s = setUp();
    rightOf(provision(s));
    const domainState = s.w.state(Tenant.decider, Tenant.streamName(example));
    expect(E.isRight(Tenant.checkSelector(domainState, example, '*'))).toBe(true);
    const jobs = ['old', 'new'].map((v, i) => {
      const jobId = id(`job-${i}`);
      s.w.ok(UpdateJob.decider, UpdateJob.streamName(jobId), {
        type: 'CreateUpdateJob',
        jobId,
        domain: example,
        category: i === 0 ? office : '*',
        domainState,
        firmware: firmware(v),
        now: T0,
      });
      return s.w.state(UpdateJob.decider, UpdateJob.streamName(jobId)) as UpdateJob.Created;
    });
    const cfgId = id('cfg-sip');
    s.w.ok(ConfigJob.decider, ConfigJob.streamName(cfgId), {
      type: 'CreateConfigJob',
      jobId: cfgId,
      domain: example,
      category: '*',
      domainState,
      configType: rightOf(ConfigJob.parseConfigType('sip')),
      params: { registrar: 'sip.example.com' },
      now: T0,
    });
    const configs = [s.w.state(ConfigJob.decider, ConfigJob.streamName(cfgId)) as ConfigJob.Created];
    const job = latestUpdateJob(jobs, example, office);
    expect(job?.jobId).toBe('job-0'); // the named category beats the newer * job
    const config = mergedConfig(configs, example, office);
    const checkIn = (fw: string, configRevision: string | null) =>
      s.w.ok(Device.decider, Device.streamName(MAC_A), {
        type: 'CheckIn',
        mac: MAC_A,
        firmware: version(fw),
        bootcode: version(`${fw} boot`),
        configRevision: configRevision as Device.Known['configRevision'],
        updateJob: job,
        config,
        now: T2,
      });
    checkIn('13r1', null);
    expect(Device.checkInAnswer(s.w.state(Device.decider, Device.streamName(MAC_A)), job, config)).toMatchObject({
      firmware: { jobId: 'job-0', version: 'old' },
      config: null,
    });
    checkIn('old', null);
    expect(Device.checkInAnswer(s.w.state(Device.decider, Device.streamName(MAC_A)), job, config)).toEqual({ firmware: null, config });
    checkIn('old', config?.revision ?? null);
    expect(Device.checkInAnswer(s.w.state(Device.decider, Device.streamName(MAC_A)), job, config)).toEqual({ firmware: null, config: null });
    expect(checkIn('old', config?.revision ?? null)).toEqual([]);
  });
});
