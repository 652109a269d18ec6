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

interface NoteBrand {
  readonly Note: unique symbol;
}

const isNote = (s: string): boolean => s.length <= 1000 && !hasControlCharacters(s);

/** Free text a phone or an admin attaches (why a firmware update failed): at most 1000 characters, no control characters. */
export const Note = t.brand(t.string, (s): s is t.Branded<string, NoteBrand> => isNote(s), 'Note');
export type Note = t.TypeOf<typeof Note>;

/** Never refuses: control characters become spaces and the text is cut to 1000 characters. */
export const toNote = (input: string): Note =>
  input.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim().slice(0, 1000).trim() as Note;
