/** Domain names (the tenants of Devices and Users): lowercase DNS names, `xn--` form for IDNs. */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { invalid } from './refuse';

interface DomainNameBrand {
  readonly DomainName: unique symbol;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const isDomainName = (s: string): boolean => s.length <= 253 && s.split('.').every((label) => LABEL.test(label));

export const DomainName = t.brand(t.string, (s): s is t.Branded<string, DomainNameBrand> => isDomainName(s), 'DomainName');
export type DomainName = t.TypeOf<typeof DomainName>;

export const parseDomainName = (input: string): E.Either<DomainError, DomainName> => {
  const s = input.trim().toLowerCase().replace(/\.$/, '');
  if (s.length === 0) return invalid('a domain name must not be empty');
  if (/[^\x00-\x7f]/.test(s)) return invalid('write an internationalised domain name in its xn-- form');
  if (s.length > 253) return invalid('a domain name has at most 253 characters');
  return isDomainName(s)
    ? E.right(s as DomainName)
    : invalid('a domain name is dot-separated labels of letters, digits and inner hyphens, each at most 63 long');
};
