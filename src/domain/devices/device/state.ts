/** A Device's state, as its events fold: where it is, what it runs, what it was offered, its notices. */
import type { CategoryId } from '../../values/category-id';
import type { ConfigRevision } from '../../values/config-revision';
import type { DomainName } from '../../values/domain-name';
import type { FirmwareVersion } from '../../values/firmware-version';
import type { Id } from '../../values/id';
import type { Mac } from '../../values/mac';
import type { Model } from '../../values/model';
import type { Digest } from '../../values/secret';
import type { Event, Outcome } from './events';

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

/** the notices a phone raised, whatever its state */
export const noticesOf = (state: State): readonly Notice[] => (state.status === 'unknown' ? [] : state.notices);

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
