/**
 * `Authorization: Device <deviceId>:<deviceSecret>` (SPEC §5.1). The device id is the
 * phone's MAC; the secret's keyed hash is compared in constant time with the one in the
 * phone's Device state (folded from its stream, not a read model: a credential rotated or
 * a phone released a moment ago counts at once), so a phone can only ever act as itself. A released phone, one only
 * claimed, or any other credential is 401, before the body is read.
 */
import * as E from 'fp-ts/Either';
import type { FastifyRequest } from 'fastify';
import { parseMac, type Device } from '../../domain';
import type { DevicesDeps } from '../../application/devices/deps';
import { deviceState } from '../../application/devices/check-in';
import { DEVICE_SECRET, deviceSecretHashOf } from '../../application/devices/secrets';
import { authorizationToken, unauthorized } from '../http/route';
import { constantTimeEqual } from '../system/secrets';

const SCHEME = 'Device';

/** a well-formed secret hashed for the comparison when there is no phone to compare with */
const NOBODY = 'x'.repeat(64);

export const deviceAuthenticator =
  (deps: Pick<DevicesDeps, 'events' | 'secrets'>) =>
  async (request: FastifyRequest): Promise<Device.Known> => {
    const token = authorizationToken(request, SCHEME);
    const colon = token?.indexOf(':') ?? -1;
    if (token === undefined || colon <= 0) throw unauthorized(`send Authorization: ${SCHEME} <deviceId>:<deviceSecret>`, SCHEME);
    const mac = parseMac(token.slice(0, colon));
    const secret = token.slice(colon + 1);
    if (E.isLeft(mac) || !DEVICE_SECRET.test(secret)) throw unauthorized('the device credential is malformed', SCHEME);
    const state = await deviceState(deps, mac.right);
    const stored = state.status === 'active' || state.status === 'awaiting-approval' ? state.credentialHash : null;
    const matches = constantTimeEqual(deviceSecretHashOf(deps.secrets, secret), stored ?? NOBODY);
    if (!matches || state.status === 'unknown' || stored === null) throw unauthorized('unknown device or wrong device secret', SCHEME);
    return state;
  };
