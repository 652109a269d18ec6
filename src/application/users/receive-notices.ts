/**
 * The `PhoneProvisioned` intake: each notice is recorded first and acknowledged only
 * then. If recording fails the notice stays unacknowledged and Devices sends it again;
 * if the process stops between the two, the repeat is recorded as nothing new.
 */
import type { DevicesApps, PhoneProvisionedNotice } from './devices-port';
import { processPhoneNotice, type NoticeOutcome } from './process-phone-notice';
import type { UsersDeps } from './users-deps';

export function receivePhoneNotices(
  deps: Pick<UsersDeps, 'events' | 'clock' | 'random' | 'secrets'>,
  devices: Pick<DevicesApps, 'onPhoneProvisioned' | 'acknowledge'>,
  onOutcome: (notice: PhoneProvisionedNotice, outcome: NoticeOutcome) => void = () => undefined,
): void {
  devices.onPhoneProvisioned(async (notice) => {
    const outcome = await processPhoneNotice(deps, notice);
    devices.acknowledge(notice.noticeId);
    onOutcome(notice, outcome);
  });
}
