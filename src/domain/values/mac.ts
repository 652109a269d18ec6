/**
 * MAC addresses. Accepted as `00:90:33:AA:BB:CC`, `00-90-33-aa-bb-cc`, `009033aabbcc`
 * (any case) and the dotted `0090.33aa.bbcc`; always held as 12 lowercase hex digits.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { invalid } from './refuse';

interface MacBrand {
  readonly Mac: unique symbol;
}

export const Mac = t.brand(t.string, (s): s is t.Branded<string, MacBrand> => /^[0-9a-f]{12}$/.test(s), 'Mac');
export type Mac = t.TypeOf<typeof Mac>;

const FORMS: readonly RegExp[] = [
  /^[0-9a-f]{12}$/i,
  /^[0-9a-f]{2}(?::[0-9a-f]{2}){5}$/i,
  /^[0-9a-f]{2}(?:-[0-9a-f]{2}){5}$/i,
  /^[0-9a-f]{4}(?:\.[0-9a-f]{4}){2}$/i,
];

export const parseMac = (input: string): E.Either<DomainError, Mac> => {
  const s = input.trim();
  if (!FORMS.some((form) => form.test(s))) {
    return invalid('a MAC address is 12 hex digits, as 00:90:33:aa:bb:cc, 00-90-33-aa-bb-cc or 009033aabbcc');
  }
  const hex = s.replace(/[:.-]/g, '').toLowerCase();
  if (hex === '000000000000' || hex === 'ffffffffffff') return invalid(`${hex} is not the MAC address of a phone`);
  return E.right(hex as Mac);
};
