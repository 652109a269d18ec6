/**
 * Ids of installations, jobs, users, phone apps, rollouts and notices: 1 to 128 characters
 * of letters, digits and `. _ @ + : -`, starting with a letter or digit; case is kept.
 * Generated ids (UUIDs) and ids an admin chooses (`alice`, `alice@example.com`) both fit.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { invalid } from './refuse';

interface IdBrand {
  readonly Id: unique symbol;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._@+:-]{0,127}$/;

export const Id = t.brand(t.string, (s): s is t.Branded<string, IdBrand> => ID.test(s), 'Id');
export type Id = t.TypeOf<typeof Id>;

export const parseId = (input: string, what = 'an id'): E.Either<DomainError, Id> =>
  ID.test(input)
    ? E.right(input as Id)
    : invalid(`${what} is 1 to 128 letters, digits or ". _ @ + : -", starting with a letter or digit`);
