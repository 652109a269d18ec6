/**
 * Devices' secrets and how they are kept: provisioning codes and device secrets only as
 * keyed hashes (HMAC-SHA256 under the server secret, one purpose per kind); a domain's
 * app password sealed, because it is the key of the apps login's HMAC challenge.
 *
 * A device secret is 32 random bytes, base64url (43 characters), shown to the phone once.
 */
import { Digest } from '../../domain';
import type { ProvisioningCode } from '../../domain/values/provisioning-code';
import type { Random } from '../ports/random';
import type { Secrets } from '../ports/secrets';

const CODE_PURPOSE = 'devices provisioning code';
const DEVICE_SECRET_PURPOSE = 'devices device secret';

const asDigest = (hex: string): Digest => {
  if (!Digest.is(hex)) throw new Error('the keyed hash is not a digest');
  return hex;
};

export const codeHashOf = (secrets: Secrets, code: ProvisioningCode): Digest => asDigest(secrets.keyedHash(CODE_PURPOSE, code));

export const deviceSecretHashOf = (secrets: Secrets, deviceSecret: string): Digest =>
  asDigest(secrets.keyedHash(DEVICE_SECRET_PURPOSE, deviceSecret));

export const DEVICE_SECRET = /^[A-Za-z0-9_-]{43}$/;

export const newDeviceSecret = (random: Random): string => random.bytes(32).toString('base64url');
