/**
 * The Redirector's secrets and how they are kept: codes and API keys only as keyed hashes
 * (HMAC-SHA256 under the server secret, one purpose per kind), compared in constant time.
 *
 * An API key names its installation: `<installationId>.<43 characters of base64url>`
 * (32 random bytes). The id part lets the Redirector read the one installation stream the
 * key may belong to, so a key works the moment it is issued (no read model to wait for);
 * the random part is the secret.
 */
import { timingSafeEqual } from 'node:crypto';
import * as E from 'fp-ts/Either';
import { CODE_DIGITS, Digest, parseId, parseProvisioningCode, type Id, type ProvisioningCode } from '../../domain/values';
import type { Random } from '../ports/random';
import type { Secrets } from '../ports/secrets';

const CODE_PURPOSE = 'redirector provisioning code';
const API_KEY_PURPOSE = 'redirector installation api key';
const OPERATOR_PURPOSE = 'redirector operator token';

const asDigest = (hex: string): Digest => {
  if (!Digest.is(hex)) throw new Error('the keyed hash is not a digest');
  return hex;
};

export const codeHashOf = (secrets: Secrets, code: ProvisioningCode): Digest => asDigest(secrets.keyedHash(CODE_PURPOSE, code));

export const apiKeyHashOf = (secrets: Secrets, apiKey: string): Digest => asDigest(secrets.keyedHash(API_KEY_PURPOSE, apiKey));

export const operatorTokenHashOf = (secrets: Secrets, token: string): Digest => asDigest(secrets.keyedHash(OPERATOR_PURPOSE, token));

/** Equal digests, compared in time independent of where they differ. */
export const sameDigest = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

const CODE_SPACE = 10 ** CODE_DIGITS;

/** 12 digits drawn uniformly from the CSPRNG behind the Random port: no structure, no check digit. */
export const drawCode = (random: Random): ProvisioningCode => {
  const code = parseProvisioningCode(String(random.int(CODE_SPACE)).padStart(CODE_DIGITS, '0'));
  if (E.isLeft(code)) throw new Error(code.left.detail);
  return code.right;
};

const SECRET_PART = /^[A-Za-z0-9_-]{43}$/;

export const newApiKey = (random: Random, installationId: Id): string => `${installationId}.${random.bytes(32).toString('base64url')}`;

const OWN_KEY_PURPOSE = 'devices key at its own redirector';

/**
 * The API key of the Devices that runs beside this Redirector: shaped like any key, its
 * secret part a keyed hash of the installation id under the server secret. Every node with
 * the same ZT_SERVER_SECRET derives the same key; nothing else can.
 */
export const derivedApiKey = (secrets: Secrets, installationId: Id): string =>
  `${installationId}.${Buffer.from(secrets.keyedHash(OWN_KEY_PURPOSE, installationId), 'hex').toString('base64url')}`;

/** The installation an API key names, or undefined for anything not shaped like a key. */
export const installationOfApiKey = (apiKey: string): Id | undefined => {
  const dot = apiKey.indexOf('.');
  if (dot <= 0 || !SECRET_PART.test(apiKey.slice(dot + 1))) return undefined;
  const id = parseId(apiKey.slice(0, dot));
  return E.isRight(id) ? id.right : undefined;
};
