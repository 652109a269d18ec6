/** What may be asked of a Device. */
import type { CategoryId } from '../../values/category-id';
import type { ConfigRevision } from '../../values/config-revision';
import type { DomainName } from '../../values/domain-name';
import type { FirmwareVersion } from '../../values/firmware-version';
import type { Id } from '../../values/id';
import type { Mac } from '../../values/mac';
import type { Model } from '../../values/model';
import type { ProvisioningCode } from '../../values/provisioning-code';
import type { Digest } from '../../values/secret';
import type { Note } from '../../values/text';
import type { Timestamp } from '../../values/time';
import type * as Tenant from '../tenant';
import type { MergedConfig, UpdateJobView } from '../matching';
import type { Outcome } from './events';

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


export type Command =
  | {
      readonly type: 'ClaimDevice';
      readonly mac: Mac;
      readonly domain: DomainName;
      readonly category: CategoryId;
      /** the domain's state, folded from its stream: the category must exist */
      readonly domainState: Tenant.State;
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
