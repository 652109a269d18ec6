/**
 * `phone/report` (SPEC §5.1): the outcome of an offered firmware job or config revision,
 * decided on the device's stream (a job or revision never offered to this phone is a
 * `conflict`; the same outcome again changes nothing).
 */
import { Device, type ConfigRevision, type Id, type Note } from '../../domain';
import { handle } from '../command-handler';
import { deviceAggregate } from './aggregates';
import { awaitOwnWrite, metadataOf, nowOf, type DevicesDeps } from './deps';
import { DEVICE_LIST } from './projections/device-list';
import { orRefuse } from '../refusal';

export type PhoneReport =
  | { readonly kind: 'firmware'; readonly jobId: Id; readonly outcome: Device.Outcome; readonly detail: Note | null }
  | { readonly kind: 'config'; readonly revision: ConfigRevision; readonly outcome: Device.Outcome; readonly detail: Note | null };

/** answers whether the report changed anything */
export const reportOutcome = async (deps: DevicesDeps, mac: Device.Known['mac'], report: PhoneReport): Promise<boolean> => {
  const now = nowOf(deps.clock);
  const { outcome, detail } = report;
  const command: Device.Command =
    report.kind === 'firmware'
      ? { type: 'ReportFirmware', mac, jobId: report.jobId, outcome, detail, now }
      : { type: 'ReportConfig', mac, revision: report.revision, outcome, detail, now };
  const handled = orRefuse(await handle(deps.events, Device.streamName(mac), deviceAggregate, command, { random: deps.random, metadata: metadataOf(`phone:${mac}`) }));
  await awaitOwnWrite(deps, DEVICE_LIST, handled);
  return handled.events.length > 0;
};
