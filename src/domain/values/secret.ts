/**
 * Secrets never reach the domain in the clear. The application hashes or seals them and
 * hands over the result:
 * - `Digest`: a hash (keyed hash of a code, hash of a device secret, API key or user
 *   token): 16 to 128 characters of hex or base64url, so it can be part of a stream name;
 * - `Sealed`: an encrypted secret the application must read back (the app password of a
 *   domain is the key of an HMAC challenge, so it cannot be a one-way hash): 16 to 4096
 *   printable ASCII characters, format chosen by the application.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { invalid } from './refuse';

interface DigestBrand {
  readonly Digest: unique symbol;
}
interface SealedBrand {
  readonly Sealed: unique symbol;
}

const DIGEST = /^[A-Za-z0-9_-]{16,128}$/;
const SEALED = /^[\x21-\x7e]{16,4096}$/;

export const Digest = t.brand(t.string, (s): s is t.Branded<string, DigestBrand> => DIGEST.test(s), 'Digest');
export type Digest = t.TypeOf<typeof Digest>;

export const Sealed = t.brand(t.string, (s): s is t.Branded<string, SealedBrand> => SEALED.test(s), 'Sealed');
export type Sealed = t.TypeOf<typeof Sealed>;

export const parseDigest = (input: string): E.Either<DomainError, Digest> =>
  DIGEST.test(input) ? E.right(input as Digest) : invalid('a digest is 16 to 128 characters of hex or base64url');

export const parseSealed = (input: string): E.Either<DomainError, Sealed> =>
  SEALED.test(input) ? E.right(input as Sealed) : invalid('a sealed secret is 16 to 4096 printable ASCII characters');
