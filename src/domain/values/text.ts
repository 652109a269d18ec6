/** Human text: display names and e-mail addresses. */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { hasControlCharacters, invalid } from './refuse';

interface DisplayNameBrand {
  readonly DisplayName: unique symbol;
}
interface EmailBrand {
  readonly Email: unique symbol;
}

const isDisplayName = (s: string): boolean =>
  s.length >= 1 && s.length <= 200 && s === s.trim() && !hasControlCharacters(s);

/** A name shown to people (user, category, installation, phone app): 1 to 200 characters, no control characters. */
export const DisplayName = t.brand(t.string, (s): s is t.Branded<string, DisplayNameBrand> => isDisplayName(s), 'DisplayName');
export type DisplayName = t.TypeOf<typeof DisplayName>;

export const parseDisplayName = (input: string, what = 'a name'): E.Either<DomainError, DisplayName> => {
  const s = input.trim();
  if (s.length === 0) return invalid(`${what} must not be empty`);
  if (s.length > 200) return invalid(`${what} has at most 200 characters`);
  return isDisplayName(s) ? E.right(s as DisplayName) : invalid(`${what} must not hold control characters`);
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const isEmail = (s: string): boolean => s.length <= 254 && EMAIL.test(s) && !hasControlCharacters(s);

export const Email = t.brand(t.string, (s): s is t.Branded<string, EmailBrand> => isEmail(s), 'Email');
export type Email = t.TypeOf<typeof Email>;

export const parseEmail = (input: string): E.Either<DomainError, Email> => {
  const s = input.trim();
  return isEmail(s) ? E.right(s as Email) : invalid('an e-mail address looks like name@example.com');
};
