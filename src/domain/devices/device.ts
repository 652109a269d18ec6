/**
 * Device (Devices): one phone, by MAC (`device-<mac>`).
 *
 * - Provisioned into the domain and category of a code. While it belongs to one domain
 *   (claimed, awaiting approval or active there), a code of another domain is refused with
 *   `device-owned-by-other-domain` until an admin releases it. A retried provision with
 *   the same code rotates its credential; a new code of the same domain provisions it again.
 * - Pre-claimed (SPEC §5.4): an admin claims the MAC for a domain and category; the phone
 *   may then provision without a code, but since a MAC is no secret it waits, offered
 *   nothing, until an admin approves it.
 * - Check-ins record only what changed: the versions the phone reports, a firmware job or
 *   config revision offered for the first time, and an offered version the phone now runs.
 *   Reports of a job or revision never offered to it are refused with `conflict`.
 * - Each provisioning (by code or by approval) raises a `PhoneProvisioned` notice for the
 *   Users of the domain, kept (in the outbox read model) until it is acknowledged.
 *
 * Every event carries the MAC; every event carries the domain and category the phone is
 * in, so read models place it without another stream. Personal data: the MAC, model and
 * versions (the local IP is not kept by Devices); see docs/events.md for its purge. The
 * digits of a code it provisioned with are purged once the code expired
 * (`personalFields`, `PurgeProvisioningCodes`); its keyed hash stays in the history.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../decider';
import { eventCodec, type EventOf, type PersonalFields } from '../event-codec';
import { CategoryId } from '../values/category-id';
import { ConfigRevision } from '../values/config-revision';
import { DomainName } from '../values/domain-name';
import { FirmwareVersion } from '../values/firmware-version';
import { Id } from '../values/id';
import { Mac } from '../values/mac';
import { Model } from '../values/model';
import { ProvisioningCode } from '../values/provisioning-code';
import { Digest } from '../values/secret';
import { Note } from '../values/text';
import { Timestamp } from '../values/time';
import * as Domain from './domain';
import { NO_OFFER, nextOffer, type MergedConfig, type Offer, type UpdateJobView } from './matching';

export const streamCategory = 'device';
export const streamName = (mac: Mac): string => `${streamCategory}-${mac}`;

// ---- events

const Placement = { mac: Mac, domain: DomainName, category: CategoryId };
const Versions = { model: Model, firmware: FirmwareVersion, bootcode: FirmwareVersion };
const Outcome = t.keyof({ applied: null, failed: null });

export const DeviceClaimedData = t.strict({ ...Placement, at: Timestamp });
export const DeviceProvisionedData = t.strict({
  ...Placement,
  ...Versions,
  codeHash: Digest,
  /** the 12 digits, for the PhoneProvisioned notice (a code that provisioned a phone is spent); null once purged */
  code: t.union([ProvisioningCode, t.null]),
  credentialHash: Digest,
  noticeId: Id,
  at: Timestamp,
});
export const DeviceApprovalRequestedData = t.strict({ ...Placement, ...Versions, credentialHash: Digest, at: Timestamp });
export const DeviceApprovedData = t.strict({ ...Placement, model: Model, noticeId: Id, at: Timestamp });
export const DeviceCredentialRotatedData = t.strict({ ...Placement, credentialHash: Digest, at: Timestamp });
export const DeviceReleasedData = t.strict({ ...Placement, at: Timestamp });
export const DeviceVersionsChangedData = t.strict({
  ...Placement,
  firmware: FirmwareVersion,
  bootcode: FirmwareVersion,
  configRevision: t.union([ConfigRevision, t.null]),
  at: Timestamp,
});
export const FirmwareOfferedData = t.strict({ ...Placement, jobId: Id, version: FirmwareVersion, at: Timestamp });
export const FirmwareAppliedData = t.strict({ ...Placement, jobId: Id, version: FirmwareVersion, at: Timestamp });
export const FirmwareFailedData = t.strict({
  ...Placement,
  jobId: Id,
  version: FirmwareVersion,
  detail: t.union([Note, t.null]),
  at: Timestamp,
});
export const ConfigOfferedData = t.strict({ ...Placement, revision: ConfigRevision, at: Timestamp });
export const ConfigAppliedData = t.strict({ ...Placement, revision: ConfigRevision, at: Timestamp });
export const ConfigFailedData = t.strict({ ...Placement, revision: ConfigRevision, detail: t.union([Note, t.null]), at: Timestamp });
export const PhoneProvisionedAcknowledgedData = t.strict({ mac: Mac, domain: DomainName, noticeId: Id, at: Timestamp });
/** the digits of these codes (each expired) were purged from the phone's history */
export const DeviceCodesPurgedData = t.strict({ ...Placement, codeHashes: t.array(Digest), at: Timestamp });

const dataCodecs = {
  DeviceClaimed: DeviceClaimedData,
  DeviceProvisioned: DeviceProvisionedData,
  DeviceApprovalRequested: DeviceApprovalRequestedData,
  DeviceApproved: DeviceApprovedData,
  DeviceCredentialRotated: DeviceCredentialRotatedData,
  DeviceReleased: DeviceReleasedData,
  DeviceVersionsChanged: DeviceVersionsChangedData,
  FirmwareOffered: FirmwareOfferedData,
  FirmwareApplied: FirmwareAppliedData,
  FirmwareFailed: FirmwareFailedData,
  ConfigOffered: ConfigOfferedData,
  ConfigApplied: ConfigAppliedData,
  ConfigFailed: ConfigFailedData,
  PhoneProvisionedAcknowledged: PhoneProvisionedAcknowledgedData,
  DeviceCodesPurged: DeviceCodesPurgedData,
};
export const Event = eventCodec('DeviceEvent', dataCodecs);
export type Event = EventOf<typeof dataCodecs>;

/** the digits of the code, deleted once the code expired */
export const personalFields: PersonalFields = { DeviceProvisioned: ['code'] };

// ---- commands

/** What a phone tells when it provisions. */
export interface PhoneFacts {
  readonly model: Model;
  readonly firmware: FirmwareVersion;
  readonly bootcode: FirmwareVersion;
}

/** The code a phone provisions with, as Devices assigned it (`device-code.ts`), already checked usable by this MAC. */
export interface CodeGrant {
  readonly codeHash: Digest;
  readonly code: ProvisioningCode;
  readonly domain: DomainName;
  readonly category: CategoryId;
}

export type Outcome = t.TypeOf<typeof Outcome>;

export type Command =
  | {
      readonly type: 'ClaimDevice';
      readonly mac: Mac;
      readonly domain: DomainName;
      readonly category: CategoryId;
      /** the domain's state, folded from its stream: the category must exist */
      readonly domainState: Domain.State;
      readonly now: Timestamp;
    }
  | (PhoneFacts & {
      readonly type: 'ProvisionWithCode';
      readonly mac: Mac;
      readonly grant: CodeGrant;
      /** hash of the new device secret */
      readonly credentialHash: Digest;
      /** id of the PhoneProvisioned notice this raises */
      readonly noticeId: Id;
      readonly now: Timestamp;
    })
  | (PhoneFacts & {
      readonly type: 'ProvisionWithoutCode';
      readonly mac: Mac;
      readonly credentialHash: Digest;
      readonly now: Timestamp;
    })
  | { readonly type: 'ApproveDevice'; readonly mac: Mac; readonly noticeId: Id; readonly now: Timestamp }
  | {
      readonly type: 'ReleaseDevice';
      readonly mac: Mac;
      /** the releasing admin's domain, or null for an admin of every domain */
      readonly domain: DomainName | null;
      readonly now: Timestamp;
    }
  | {
      readonly type: 'CheckIn';
      readonly mac: Mac;
      readonly firmware: FirmwareVersion;
      readonly bootcode: FirmwareVersion;
      readonly configRevision: ConfigRevision | null;
      /** the latest update job matching the phone (`latestUpdateJob`), or null */
      readonly updateJob: UpdateJobView | null;
      /** the merged config matching the phone (`mergedConfig`), or null */
      readonly config: MergedConfig | null;
      readonly now: Timestamp;
    }
  | {
      readonly type: 'ReportFirmware';
      readonly mac: Mac;
      readonly jobId: Id;
      readonly outcome: Outcome;
      readonly detail: Note | null;
      readonly now: Timestamp;
    }
  | {
      readonly type: 'ReportConfig';
      readonly mac: Mac;
      readonly revision: ConfigRevision;
      readonly outcome: Outcome;
      readonly detail: Note | null;
      readonly now: Timestamp;
    }
  | { readonly type: 'PurgeProvisioningCodes'; readonly mac: Mac; readonly codeHashes: readonly Digest[]; readonly now: Timestamp }
  | {
      readonly type: 'AcknowledgeNotice';
      readonly mac: Mac;
      /** the domain of the acknowledging Users */
      readonly domain: DomainName;
      readonly noticeId: Id;
      readonly now: Timestamp;
    };

// ---- state

export type DeviceStatus = 'claimed' | 'awaiting-approval' | 'active' | 'released';

export interface FirmwareJobRecord {
  readonly jobId: Id;
  readonly version: FirmwareVersion;
  readonly outcome: 'offered' | Outcome;
}

export interface ConfigRecord {
  readonly revision: ConfigRevision;
  readonly outcome: 'offered' | Outcome;
}

export interface Notice {
  readonly noticeId: Id;
  readonly domain: DomainName;
  readonly acknowledged: boolean;
}

export interface Known {
  readonly status: DeviceStatus;
  readonly mac: Mac;
  /** the domain it belongs to (for `released`: the one it was released from) */
  readonly domain: DomainName;
  readonly category: CategoryId;
  /** the code it was provisioned with, if any */
  readonly codeHash: Digest | null;
  readonly model: Model | null;
  readonly firmware: FirmwareVersion | null;
  readonly bootcode: FirmwareVersion | null;
  readonly configRevision: ConfigRevision | null;
  readonly credentialHash: Digest | null;
  readonly firmwareJobs: readonly FirmwareJobRecord[];
  readonly configs: readonly ConfigRecord[];
  readonly notices: readonly Notice[];
}

export type State = { readonly status: 'unknown' } | Known;

export const initialState: State = { status: 'unknown' };

const blank = (mac: Mac, domain: DomainName, category: CategoryId, notices: readonly Notice[]): Known => ({
  status: 'claimed',
  mac,
  domain,
  category,
  codeHash: null,
  model: null,
  firmware: null,
  bootcode: null,
  configRevision: null,
  credentialHash: null,
  firmwareJobs: [],
  configs: [],
  notices,
});

const noticesOf = (state: State): readonly Notice[] => (state.status === 'unknown' ? [] : state.notices);

/** A phone that was released, or is in another domain, starts afresh; otherwise its history stays. */
const base = (state: State, mac: Mac, domain: DomainName, category: CategoryId): Known =>
  state.status === 'unknown' || state.status === 'released' || state.domain !== domain
    ? blank(mac, domain, category, noticesOf(state))
    : { ...state, category };

const setJob = (state: Known, jobId: Id, version: FirmwareVersion, outcome: FirmwareJobRecord['outcome']): Known => ({
  ...state,
  firmwareJobs: [...state.firmwareJobs.filter((j) => j.jobId !== jobId), { jobId, version, outcome }],
});

const setConfig = (state: Known, revision: ConfigRevision, outcome: ConfigRecord['outcome']): Known => ({
  ...state,
  configs: [...state.configs.filter((c) => c.revision !== revision), { revision, outcome }],
});

const evolveKnown = (state: Known, event: Event): Known => {
  switch (event.type) {
    case 'DeviceClaimed':
    case 'DeviceProvisioned':
    case 'DeviceApprovalRequested':
    case 'DeviceCodesPurged':
      return state;
    case 'DeviceApproved':
      return {
        ...state,
        status: 'active',
        notices: [...state.notices, { noticeId: event.data.noticeId, domain: event.data.domain, acknowledged: false }],
      };
    case 'DeviceCredentialRotated':
      return { ...state, credentialHash: event.data.credentialHash };
    case 'DeviceReleased':
      return { ...blank(state.mac, state.domain, state.category, state.notices), status: 'released' };
    case 'DeviceVersionsChanged':
      return { ...state, firmware: event.data.firmware, bootcode: event.data.bootcode, configRevision: event.data.configRevision };
    case 'FirmwareOffered':
      return setJob(state, event.data.jobId, event.data.version, 'offered');
    case 'FirmwareApplied':
      return { ...setJob(state, event.data.jobId, event.data.version, 'applied'), firmware: event.data.version };
    case 'FirmwareFailed':
      return setJob(state, event.data.jobId, event.data.version, 'failed');
    case 'ConfigOffered':
      return setConfig(state, event.data.revision, 'offered');
    case 'ConfigApplied':
      return { ...setConfig(state, event.data.revision, 'applied'), configRevision: event.data.revision };
    case 'ConfigFailed':
      return setConfig(state, event.data.revision, 'failed');
    case 'PhoneProvisionedAcknowledged':
      return {
        ...state,
        notices: state.notices.map((n) => (n.noticeId === event.data.noticeId ? { ...n, acknowledged: true } : n)),
      };
  }
};

export const evolve = (state: State, event: Event): State => {
  switch (event.type) {
    case 'DeviceClaimed':
      return base(state, event.data.mac, event.data.domain, event.data.category);
    case 'DeviceProvisioned': {
      const { mac, domain, category, model, firmware, bootcode, codeHash, credentialHash, noticeId } = event.data;
      const known = base(state, mac, domain, category);
      return {
        ...known,
        status: 'active',
        codeHash,
        model,
        firmware,
        bootcode,
        credentialHash,
        notices: [...known.notices, { noticeId, domain, acknowledged: false }],
      };
    }
    case 'DeviceApprovalRequested': {
      const { mac, domain, category, model, firmware, bootcode, credentialHash } = event.data;
      return { ...base(state, mac, domain, category), status: 'awaiting-approval', model, firmware, bootcode, credentialHash };
    }
    default:
      return state.status === 'unknown' ? state : evolveKnown(state, event);
  }
};

// ---- decisions

const ownedElsewhere = domainError(
  'device-owned-by-other-domain',
  'the phone belongs to another domain; an admin of that domain must release it first',
);
const notFound = domainError('not-found', 'no such device');

/** Does the phone belong to a domain (claimed for it, awaiting approval or active there)? */
export const owningDomain = (state: State): DomainName | null =>
  state.status === 'unknown' || state.status === 'released' ? null : state.domain;

const placement = (state: Known) => ({ mac: state.mac, domain: state.domain, category: state.category });

const decideCheckIn = (command: Extract<Command, { type: 'CheckIn' }>, state: Known): readonly Event[] => {
  const at = command.now;
  const events: Event[] = [];
  const { firmware, bootcode, configRevision } = command;
  if (firmware !== state.firmware || bootcode !== state.bootcode || configRevision !== state.configRevision) {
    events.push({ type: 'DeviceVersionsChanged', data: { ...placement(state), firmware, bootcode, configRevision, at } });
  }
  if (state.status !== 'active') return events;
  for (const job of state.firmwareJobs) {
    if (job.outcome !== 'applied' && job.version === firmware) {
      events.push({ type: 'FirmwareApplied', data: { ...placement(state), jobId: job.jobId, version: job.version, at } });
    }
  }
  for (const config of state.configs) {
    if (config.outcome !== 'applied' && config.revision === configRevision) {
      events.push({ type: 'ConfigApplied', data: { ...placement(state), revision: config.revision, at } });
    }
  }
  const offer = nextOffer({ ...state, firmware, configRevision }, command.updateJob, command.config);
  if (offer.firmware !== null && !state.firmwareJobs.some((j) => j.jobId === offer.firmware?.jobId)) {
    const { jobId, version } = offer.firmware;
    events.push({ type: 'FirmwareOffered', data: { ...placement(state), jobId, version, at } });
  }
  if (offer.config !== null && !state.configs.some((c) => c.revision === offer.config?.revision)) {
    events.push({ type: 'ConfigOffered', data: { ...placement(state), revision: offer.config.revision, at } });
  }
  return events;
};

const decideWithoutCode = (
  command: Extract<Command, { type: 'ProvisionWithoutCode' }>,
  state: State,
): E.Either<DomainError, readonly Event[]> => {
  const { mac, model, firmware, bootcode, credentialHash, now } = command;
  switch (state.status) {
    case 'unknown':
    case 'released':
      return E.left(domainError('unknown-code', 'unknown code'));
    case 'active':
      return E.left(domainError('conflict', 'the phone is provisioned; it needs a code, or a release, to be provisioned again'));
    case 'awaiting-approval':
      return E.right([{ type: 'DeviceCredentialRotated', data: { ...placement(state), credentialHash, at: now } }]);
    case 'claimed':
      return E.right([
        {
          type: 'DeviceApprovalRequested',
          data: { mac, domain: state.domain, category: state.category, model, firmware, bootcode, credentialHash, at: now },
        },
      ]);
  }
};

export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => {
  const owner = owningDomain(state);
  switch (command.type) {
    case 'ClaimDevice': {
      const domain = Domain.checkSelector(command.domainState, command.domain, command.category);
      if (E.isLeft(domain)) return domain;
      if (owner !== null && owner !== command.domain) {
        return E.left(state.status === 'claimed' ? domainError('conflict', 'the phone is claimed by another domain') : ownedElsewhere);
      }
      if (state.status === 'active' || state.status === 'awaiting-approval') return E.right([]);
      if (state.status === 'claimed' && state.category === command.category) return E.right([]);
      const { mac, domain: domainName, category, now } = command;
      return E.right([{ type: 'DeviceClaimed', data: { mac, domain: domainName, category, at: now } }]);
    }
    case 'ProvisionWithCode': {
      const { mac, grant, model, firmware, bootcode, credentialHash, noticeId, now } = command;
      if (owner !== null && owner !== grant.domain) return E.left(ownedElsewhere);
      if (state.status === 'active' && state.codeHash === grant.codeHash) {
        return E.right([{ type: 'DeviceCredentialRotated', data: { ...placement(state), credentialHash, at: now } }]);
      }
      return E.right([
        {
          type: 'DeviceProvisioned',
          data: {
            mac,
            domain: grant.domain,
            category: grant.category,
            model,
            firmware,
            bootcode,
            codeHash: grant.codeHash,
            code: grant.code,
            credentialHash,
            noticeId,
            at: now,
          },
        },
      ]);
    }
    case 'ProvisionWithoutCode':
      return decideWithoutCode(command, state);
    case 'ApproveDevice': {
      if (state.status === 'active') return E.right([]);
      if (state.status !== 'awaiting-approval' || state.model === null) {
        return E.left(domainError('not-found', 'no phone of this MAC is awaiting approval'));
      }
      return E.right([
        { type: 'DeviceApproved', data: { ...placement(state), model: state.model, noticeId: command.noticeId, at: command.now } },
      ]);
    }
    case 'ReleaseDevice': {
      if (state.status === 'released') return E.right([]);
      if (state.status === 'unknown' || (command.domain !== null && command.domain !== state.domain)) return E.left(notFound);
      return E.right([{ type: 'DeviceReleased', data: { ...placement(state), at: command.now } }]);
    }
    case 'CheckIn':
      if (state.status !== 'active' && state.status !== 'awaiting-approval') return E.left(notFound);
      return E.right(decideCheckIn(command, state));
    case 'ReportFirmware': {
      if (state.status !== 'active') return E.left(notFound);
      const job = state.firmwareJobs.find((j) => j.jobId === command.jobId);
      if (job === undefined) return E.left(domainError('conflict', 'this update job was never offered to the phone'));
      if (job.outcome === command.outcome) return E.right([]);
      const data = { ...placement(state), jobId: job.jobId, version: job.version, at: command.now };
      return E.right([
        command.outcome === 'applied'
          ? { type: 'FirmwareApplied', data }
          : { type: 'FirmwareFailed', data: { ...data, detail: command.detail } },
      ]);
    }
    case 'ReportConfig': {
      if (state.status !== 'active') return E.left(notFound);
      const config = state.configs.find((c) => c.revision === command.revision);
      if (config === undefined) return E.left(domainError('conflict', 'this config revision was never offered to the phone'));
      if (config.outcome === command.outcome) return E.right([]);
      const data = { ...placement(state), revision: config.revision, at: command.now };
      return E.right([
        command.outcome === 'applied'
          ? { type: 'ConfigApplied', data }
          : { type: 'ConfigFailed', data: { ...data, detail: command.detail } },
      ]);
    }
    case 'PurgeProvisioningCodes': {
      if (state.status === 'unknown') return E.left(notFound);
      if (command.codeHashes.length === 0) return E.right([]);
      return E.right([{ type: 'DeviceCodesPurged', data: { ...placement(state), codeHashes: [...command.codeHashes], at: command.now } }]);
    }
    case 'AcknowledgeNotice': {
      const notice = noticesOf(state).find((n) => n.noticeId === command.noticeId && n.domain === command.domain);
      if (notice === undefined) return E.left(domainError('not-found', 'no such notice for this domain'));
      if (notice.acknowledged) return E.right([]);
      return E.right([
        { type: 'PhoneProvisionedAcknowledged', data: { mac: command.mac, domain: notice.domain, noticeId: notice.noticeId, at: command.now } },
      ]);
    }
  }
};

export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };

/** What a check-in is answered, from the state after it (`decide` records the same offer). */
export const checkInAnswer = (state: State, updateJob: UpdateJobView | null, config: MergedConfig | null): Offer =>
  state.status === 'unknown' ? NO_OFFER : nextOffer(state, updateJob, config);
