/**
 * Category ids (e.g. `office`, `lab`): lowercase letters, digits, `.`, `_`, `-`, at most 64,
 * compared case-insensitively (held in lowercase). Jobs may name a category or `*`,
 * which matches every category of the job's domain.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { invalid } from './refuse';

interface CategoryIdBrand {
  readonly CategoryId: unique symbol;
}

const ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const CategoryId = t.brand(t.string, (s): s is t.Branded<string, CategoryIdBrand> => ID.test(s), 'CategoryId');
export type CategoryId = t.TypeOf<typeof CategoryId>;

export const ANY_CATEGORY = '*';
export const CategorySelector = t.union([CategoryId, t.literal(ANY_CATEGORY)]);
export type CategorySelector = t.TypeOf<typeof CategorySelector>;

export const parseCategoryId = (input: string): E.Either<DomainError, CategoryId> => {
  const s = input.trim().toLowerCase();
  return ID.test(s)
    ? E.right(s as CategoryId)
    : invalid('a category id is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit');
};

/** A category id, or `*` for every category of a domain. */
export const parseCategorySelector = (input: string): E.Either<DomainError, CategorySelector> =>
  input.trim() === ANY_CATEGORY ? E.right(ANY_CATEGORY) : parseCategoryId(input);
