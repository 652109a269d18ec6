/**
 * Users keeps codes and user tokens only under its keyed hashes (a code's stream is
 * `userDevice-<hash>`; a token is found by its hash). One purpose string per use.
 */
import * as E from 'fp-ts/Either';
import { parseDigest, type Digest, type ProvisioningCode } from '../../domain/values';
import type { Secrets } from '../ports/secrets';

const digestOf = (hex: string): Digest => {
  const parsed = parseDigest(hex);
  if (E.isLeft(parsed)) throw new Error(`the keyed hash is no digest: ${parsed.left.detail}`);
  return parsed.right;
};

export const codeHashOf = (secrets: Secrets, code: ProvisioningCode): Digest => digestOf(secrets.keyedHash('users/code', code));

export const tokenHashOf = (secrets: Secrets, token: string): Digest => digestOf(secrets.keyedHash('users/user-token', token));
