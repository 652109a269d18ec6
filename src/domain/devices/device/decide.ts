/** The Device's decisions: provisioning, claims and approval, release, check-ins, reports, notices. */
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError } from '../../decider';
import type { DomainName } from '../../values/domain-name';
import * as Tenant from '../tenant';
import { NO_OFFER, nextOffer, type MergedConfig, type Offer, type UpdateJobView } from '../matching';
import type { Command } from './commands';
import type { Event } from './events';
import { evolve, initialState, noticesOf, type Known, type State } from './state';

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
      const domain = Tenant.checkSelector(command.domainState, command.domain, command.category);
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
