/**
 * Where a `PhoneProvisioned` notice from Devices goes (SPEC §2 step 6, §5.2): to the
 * code's UserDevice when Users handed out that code, otherwise to an UnassignedPhone
 * (no code: an approved pre-claimed phone; a code Users does not know). Either way the
 * notice is then acknowledged; delivering it again changes nothing.
 */
import type { Id } from '../values/id';
import type { Mac } from '../values/mac';
import type { Model } from '../values/model';
import type { ProvisioningCode } from '../values/provisioning-code';
import type { Digest } from '../values/secret';
import type { Timestamp } from '../values/time';
import type * as UnassignedPhone from './unassigned-phone';
import type * as UserDevice from './user-device';

export interface PhoneNotice {
  readonly noticeId: Id;
  readonly mac: Mac;
  readonly model: Model;
  /** the 12 digits the phone used; null for an approved pre-claimed phone */
  readonly code: ProvisioningCode | null;
}

export type NoticeRoute =
  | { readonly to: 'userDevice'; readonly codeHash: Digest; readonly command: UserDevice.Command }
  | { readonly to: 'unassignedPhone'; readonly command: Extract<UnassignedPhone.Command, { readonly type: 'RecordUnassignedPhone' }> };

/**
 * The command a notice becomes. `codeHash` is Users' hash of `notice.code` (null without a
 * code) and `userDevice` the state of that code's stream.
 */
export const routeNotice = (
  notice: PhoneNotice,
  codeHash: Digest | null,
  userDevice: UserDevice.State,
  now: Timestamp,
): NoticeRoute => {
  const { noticeId, mac, model, code } = notice;
  const unassigned = (reason: UnassignedPhone.UnassignedReason): NoticeRoute => ({
    to: 'unassignedPhone',
    command: { type: 'RecordUnassignedPhone', mac, model, code, noticeId, reason, now },
  });
  if (code === null) return unassigned('no-code');
  // a code purged before its phone came up has no user any more: unknown to this Users now
  if (codeHash === null || userDevice.status === 'none' || (userDevice.phone === null && userDevice.userId === null)) return unassigned('unknown-code');
  if (userDevice.phone !== null && userDevice.phone.mac !== mac) return unassigned('code-used-by-other-phone');
  return { to: 'userDevice', codeHash, command: { type: 'RegisterPhone', codeHash, mac, model, now } };
};
