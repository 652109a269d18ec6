/**
 * The Redirector as Devices sees it (SPEC §4): it issues codes for this Devices' URL,
 * revokes them, and takes MAC pre-claims. An adapter speaks HTTP with the installation's
 * API key; a Redirector that is down or times out is a `Refusal('unavailable')`, one that
 * refuses or answers nonsense a `Refusal('bad-gateway')`.
 */
import type { Mac, Timestamp } from '../../domain';
import type { ProvisioningCode } from '../../domain/values/provisioning-code';

export interface IssuedCode {
  readonly code: ProvisioningCode;
  readonly expiresAt: Timestamp;
}

export interface RedirectorClient {
  /** `POST /codes {devicesUrl}` */
  issueCode(devicesUrl: string): Promise<IssuedCode>;
  /** `POST /codes/batch {devicesUrl, count}`: up to 1,000 codes in one request */
  issueCodes(devicesUrl: string, count: number): Promise<readonly IssuedCode[]>;
  /** `DELETE /codes/{code}`: the code stops working at once */
  revokeCode(code: ProvisioningCode): Promise<void>;
  /** `POST /claims {macs}`: answers how many the Redirector claimed */
  claimMacs(macs: readonly Mac[]): Promise<number>;
  /** where it is, for the banner and error details */
  readonly baseUrl: string;
}
