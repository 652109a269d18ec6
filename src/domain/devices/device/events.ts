/** The Device's stream and events: what each records, and the personal field of each. */
import * as t from 'io-ts';
import { eventCodec, type PersonalFields } from '../../event-codec';
import { CategoryId } from '../../values/category-id';
import { ConfigRevision } from '../../values/config-revision';
import { DomainName } from '../../values/domain-name';
import { FirmwareVersion } from '../../values/firmware-version';
import { Id } from '../../values/id';
import { Mac } from '../../values/mac';
import { Model } from '../../values/model';
import { ProvisioningCode } from '../../values/provisioning-code';
import { Digest } from '../../values/secret';
import { Note } from '../../values/text';
import { Timestamp } from '../../values/time';

export const streamCategory = 'device';
export const streamName = (mac: Mac): string => `${streamCategory}-${mac}`;

const Placement = { mac: Mac, domain: DomainName, category: CategoryId };
const Versions = { model: Model, firmware: FirmwareVersion, bootcode: FirmwareVersion };
const Outcome = t.keyof({ applied: null, failed: null });

export const Event = eventCodec('DeviceEvent', {
  DeviceClaimed: t.strict({ ...Placement, at: Timestamp }),
  DeviceProvisioned: t.strict({
    ...Placement,
    ...Versions,
    codeHash: Digest,
    /** the 12 digits, for the PhoneProvisioned notice (a code that provisioned a phone is spent); null once purged */
    code: t.union([ProvisioningCode, t.null]),
    credentialHash: Digest,
    noticeId: Id,
    at: Timestamp,
  }),
  DeviceApprovalRequested: t.strict({ ...Placement, ...Versions, credentialHash: Digest, at: Timestamp }),
  DeviceApproved: t.strict({ ...Placement, model: Model, noticeId: Id, at: Timestamp }),
  DeviceCredentialRotated: t.strict({ ...Placement, credentialHash: Digest, at: Timestamp }),
  DeviceReleased: t.strict({ ...Placement, at: Timestamp }),
  DeviceVersionsChanged: t.strict({
    ...Placement,
    firmware: FirmwareVersion,
    bootcode: FirmwareVersion,
    configRevision: t.union([ConfigRevision, t.null]),
    at: Timestamp,
  }),
  FirmwareOffered: t.strict({ ...Placement, jobId: Id, version: FirmwareVersion, at: Timestamp }),
  FirmwareApplied: t.strict({ ...Placement, jobId: Id, version: FirmwareVersion, at: Timestamp }),
  FirmwareFailed: t.strict({
    ...Placement,
    jobId: Id,
    version: FirmwareVersion,
    detail: t.union([Note, t.null]),
    at: Timestamp,
  }),
  ConfigOffered: t.strict({ ...Placement, revision: ConfigRevision, at: Timestamp }),
  ConfigApplied: t.strict({ ...Placement, revision: ConfigRevision, at: Timestamp }),
  ConfigFailed: t.strict({ ...Placement, revision: ConfigRevision, detail: t.union([Note, t.null]), at: Timestamp }),
  PhoneProvisionedAcknowledged: t.strict({ mac: Mac, domain: DomainName, noticeId: Id, at: Timestamp }),
  /** the digits of these codes (each expired) were purged from the phone's history */
  DeviceCodesPurged: t.strict({ ...Placement, codeHashes: t.array(Digest), at: Timestamp }),
});
export type Event = t.TypeOf<typeof Event>;

/** the digits of the code, deleted once the code expired */
export const personalFields: PersonalFields = { DeviceProvisioned: ['code'] };

export type Outcome = t.TypeOf<typeof Outcome>;
