/**
 * `phone/checkin` (SPEC §5.1), the hot path. The phone is authenticated against its
 * Device aggregate (`deviceState`: its stream folded, kept folded in memory by the command
 * handler, so a check-in reads only the stream's last event and what came after it). The
 * offer needs O(1) lookups whatever the number of jobs and phones: the head update job of
 * the phone's category and of `*`, and the config merged for its category or for `*`,
 * which the offer cache keeps for a moment per domain and category.
 *
 * The domain's own `decide` on that state tells whether the check-in changes anything
 * (other versions, an offer made for the first time, an offered version now running).
 * Mostly it does not, and the phone is answered without writing. Otherwise the command is
 * handled on the stream (the append expects the version the state was folded at) and the
 * answer waits for the device list to show it, for the admins who look there next.
 * Nothing here decides on a read-model document (SPEC §3).
 */
import * as E from 'fp-ts/Either';
import { Device, type ConfigRevision, type FirmwareVersion, type Mac, type Offer } from '../../domain';
import { handle, load } from '../command-handler';
import { deviceAggregate } from './aggregates';
import { awaitOwnWrite, metadataOf, nowOf, type DevicesDeps } from './deps';
import { DEVICE_LIST } from './projections/device-list';
import { orRefuse } from '../refusal';

export interface CheckInReport {
  readonly firmware: FirmwareVersion;
  readonly bootcode: FirmwareVersion;
  readonly configRevision: ConfigRevision | null;
}

export interface CheckInAnswer extends Offer {
  readonly pollSeconds: number;
  /** whether the check-in wrote events */
  readonly changed: boolean;
}

/** The phone's state, folded from its own stream (the events after the last fold only). */
export const deviceState = async (deps: Pick<DevicesDeps, 'events'>, mac: Mac): Promise<Device.State> =>
  (await load(deps.events, Device.streamName(mac), deviceAggregate)).state;

/** Answer a check-in of `device`, the phone's state as `deviceState` folded it when it authenticated. */
export const checkIn = async (deps: DevicesDeps, device: Device.Known, report: CheckInReport): Promise<CheckInAnswer> => {
  const now = nowOf(deps.clock);
  deps.presence.seen(device.mac, now);
  const { updateJob, config } = await deps.offers.get(device.domain, device.category);
  const command: Device.Command = { type: 'CheckIn', mac: device.mac, ...report, updateJob, config, now };
  const decided = Device.decide(command, device);
  if (E.isRight(decided) && decided.right.length === 0) {
    return { ...Device.checkInAnswer(device, updateJob, config), pollSeconds: deps.settings.pollSeconds, changed: false };
  }
  const handled = orRefuse(
    await handle(deps.events, Device.streamName(device.mac), deviceAggregate, command, { random: deps.random, metadata: metadataOf(`phone:${device.mac}`) }),
  );
  await awaitOwnWrite(deps, DEVICE_LIST, handled);
  return { ...Device.checkInAnswer(handled.state, updateJob, config), pollSeconds: deps.settings.pollSeconds, changed: handled.events.length > 0 };
};
