/**
 * Firmware and bootcode versions as phones report them (e.g. `13r3 sr5 [13.7150]`):
 * printable ASCII, 1 to 64 characters, runs of spaces collapsed. Versions are compared for
 * equality only: a phone is brought to the version of its job, whichever way that goes.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { invalid } from './refuse';

interface FirmwareVersionBrand {
  readonly FirmwareVersion: unique symbol;
}

const VERSION = /^[\x21-\x7e](?:[\x20-\x7e]{0,62}[\x21-\x7e])?$/;

export const FirmwareVersion = t.brand(
  t.string,
  (s): s is t.Branded<string, FirmwareVersionBrand> => VERSION.test(s) && !s.includes('  '),
  'FirmwareVersion',
);
export type FirmwareVersion = t.TypeOf<typeof FirmwareVersion>;

export const parseFirmwareVersion = (input: string): E.Either<DomainError, FirmwareVersion> => {
  const s = input.trim().replace(/ {2,}/g, ' ');
  if (s.length === 0) return invalid('a version must not be empty');
  if (s.length > 64) return invalid('a version has at most 64 characters');
  return VERSION.test(s) ? E.right(s as FirmwareVersion) : invalid('a version is printable ASCII');
};
