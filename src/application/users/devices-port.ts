/**
 * What Users needs from Devices (SPEC §5.2, the apps WebSocket): the categories of its
 * domain enabled for provisioning, a provisioning code for one of them, and the
 * `PhoneProvisioned` notices, each acknowledged once Users has recorded it.
 *
 * A request that fails is a `Refusal` (src/application/refusal.ts), passed on as it is:
 * `unavailable` when Devices could not answer (not connected, no answer in time, the
 * connection dropped while waiting; nothing was done at Devices that Users would need to
 * know about), the token Devices answered with when it refused (`Devices: <its detail>`),
 * and `bad-gateway` when it answered something Users cannot read.
 */
import type { CategoryId, Id, Mac, Model, ProvisioningCode, Timestamp } from '../../domain/values';

export interface DevicesCategory {
  readonly id: CategoryId;
  readonly name: string;
}

export interface IssuedCode {
  readonly code: ProvisioningCode;
  readonly expiresAt: Timestamp;
}

/** A `PhoneProvisioned` push, decoded. */
export interface PhoneProvisionedNotice {
  readonly noticeId: Id;
  readonly mac: Mac;
  readonly model: Model;
  /** null for an approved pre-claimed phone */
  readonly code: ProvisioningCode | null;
  readonly at: Timestamp;
}

export interface DevicesConnectionStatus {
  readonly connected: boolean;
  /** what an operator reads: where, as whom, or why not */
  readonly detail: string;
}

/** the most codes one GetProvisioningCodes asks for */
export const CODES_PER_REQUEST = 1000;

export interface DevicesApps {
  /** categories of the domain enabled for provisioning */
  getCategories(): Promise<readonly DevicesCategory[]>;
  /** a fresh code for a category (Devices gets it from the Redirector) */
  getProvisioningCode(category: CategoryId): Promise<IssuedCode>;
  /** `count` (at most CODES_PER_REQUEST) fresh codes in one request: a rollout for many users */
  getProvisioningCodes(category: CategoryId, count: number): Promise<readonly IssuedCode[]>;
  /**
   * The handler of `PhoneProvisioned` notices: called for one notice at a time, in the
   * order Devices sends them. A notice whose handler fails is not acknowledged; Devices
   * sends it again on the next connection.
   */
  onPhoneProvisioned(handler: (notice: PhoneProvisionedNotice) => Promise<void>): void;
  /** tell Devices a notice is recorded; it is then no longer sent again */
  acknowledge(noticeId: Id): void;
  status(): DevicesConnectionStatus;
}
