/**
 * `phone/provision` (SPEC §5.1, §5.4). With a code: Devices finds the code's domain and
 * category on its own record of it, decides the device first (a phone that belongs to
 * another domain is refused and does not spend the code), binds the code to the MAC, and
 * provisions the device with a fresh credential; the same MAC retrying rotates it.
 * Without a code: a pre-claimed phone waits for approval with a credential of its own.
 * The answer comes once the device's read model has the credential, so the phone's first
 * check-in is accepted.
 */
import { Device, DeviceCode, parseId, type FirmwareVersion, type Mac, type Model } from '../../domain';
import type { ProvisioningCode } from '../../domain/values/provisioning-code';
import { handle, load } from '../command-handler';
import { deviceAggregate, deviceCodeAggregate } from './aggregates';
import { awaitOwnWrite, metadataOf, nowOf, type DevicesDeps } from './deps';
import type { GuessThrottle } from '../guess-throttle';
import { DEVICE_LIST } from './projections/device-list';
import { orRefuse, Refusal, refusalOf } from '../refusal';
import { codeHashOf, deviceSecretHashOf, newDeviceSecret } from './secrets';

export interface ProvisionRequest {
  readonly mac: Mac;
  readonly model: Model;
  readonly firmware: FirmwareVersion;
  readonly bootcode: FirmwareVersion;
  /** null: the pre-claimed path */
  readonly code: ProvisioningCode | null;
  /** where the request came from, for the throttle */
  readonly sourceIp: string;
}

export interface Provisioned {
  readonly deviceId: string;
  readonly deviceSecret: string;
  readonly domain: string;
  readonly category: string;
  readonly pollSeconds: number;
  /** `active`, or `awaiting-approval` for a pre-claimed phone */
  readonly state: Device.DeviceStatus;
  /** a retry: the phone's credential was replaced */
  readonly rotated: boolean;
}

export const provision = async (deps: DevicesDeps, throttle: GuessThrottle, request: ProvisionRequest): Promise<Provisioned> => {
  const verdict = await throttle.gate(request.sourceIp, request.mac);
  if (!verdict.allowed) throw new Refusal('rate-limited', 'too many wrong codes from this address or phone; try again later', { retryAfterSeconds: verdict.retryAfterSeconds });
  const deviceSecret = newDeviceSecret(deps.random);
  const credentialHash = deviceSecretHashOf(deps.secrets, deviceSecret);
  const options = { random: deps.random, metadata: metadataOf(`phone:${request.mac}`) };
  const facts = { mac: request.mac, model: request.model, firmware: request.firmware, bootcode: request.bootcode, credentialHash, now: nowOf(deps.clock) };

  let command: Device.Command;
  if (request.code === null) {
    command = { type: 'ProvisionWithoutCode', ...facts };
  } else {
    const code = request.code;
    const codeHash = codeHashOf(deps.secrets, code);
    const codeState = (await load(deps.events, DeviceCode.streamName(codeHash), deviceCodeAggregate)).state;
    const usable = DeviceCode.usableBy(codeState, request.mac, facts.now);
    if (usable._tag === 'Left') {
      await throttle.recordWrongGuess(request.sourceIp, request.mac);
      throw refusalOf(usable.left);
    }
    const { domain, category } = usable.right;
    command = { type: 'ProvisionWithCode', ...facts, grant: { codeHash, code, domain, category }, noticeId: orRefuse(parseId(deps.random.uuid())) };
    // decide the device before the code: a refused phone does not use the code up
    orRefuse(Device.decide(command, (await load(deps.events, Device.streamName(request.mac), deviceAggregate)).state));
    const used = await handle(deps.events, DeviceCode.streamName(codeHash), deviceCodeAggregate, { type: 'UseDeviceCode', codeHash, mac: request.mac, now: facts.now }, options);
    orRefuse(used);
  }
  const provisioned = orRefuse(await handle(deps.events, Device.streamName(request.mac), deviceAggregate, command, options));
  const state = provisioned.state;
  if (state.status === 'unknown') throw new Error(`device ${request.mac} is unknown after provisioning`);
  await awaitOwnWrite(deps, DEVICE_LIST, provisioned);
  return {
    deviceId: request.mac,
    deviceSecret,
    domain: state.domain,
    category: state.category,
    pollSeconds: deps.settings.pollSeconds,
    state: state.status,
    rotated: provisioned.events.some((e) => e.type === 'DeviceCredentialRotated'),
  };
};
