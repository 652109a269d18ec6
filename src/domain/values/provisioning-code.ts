/**
 * Provisioning codes: 12 random digits. Accepted with spaces or dashes between digits and
 * with the trailing `#` some phones use to confirm; held and compared as 12 digits.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { invalid } from './refuse';

interface ProvisioningCodeBrand {
  readonly ProvisioningCode: unique symbol;
}

export const CODE_DIGITS = 12;

export const ProvisioningCode = t.brand(
  t.string,
  (s): s is t.Branded<string, ProvisioningCodeBrand> => /^\d{12}$/.test(s),
  'ProvisioningCode',
);
export type ProvisioningCode = t.TypeOf<typeof ProvisioningCode>;

export const parseProvisioningCode = (input: string): E.Either<DomainError, ProvisioningCode> => {
  const s = input.trim().replace(/#$/, '').trim();
  if (!/^\d(?:[ -]*\d)*$/.test(s)) return invalid('a provisioning code is 12 digits, optionally grouped by spaces or dashes');
  const digits = s.replace(/[ -]/g, '');
  return digits.length === CODE_DIGITS
    ? E.right(digits as ProvisioningCode)
    : invalid(`a provisioning code is 12 digits, not ${digits.length}`);
};
