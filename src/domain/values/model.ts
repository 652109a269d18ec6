/** A phone model as the phone names itself (`IP112`, `IP232`): 1 to 64 letters, digits, `.`, `_`, `-`; case kept. */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { invalid } from './refuse';

interface ModelBrand {
  readonly Model: unique symbol;
}

const MODEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const Model = t.brand(t.string, (s): s is t.Branded<string, ModelBrand> => MODEL.test(s), 'Model');
export type Model = t.TypeOf<typeof Model>;

export const parseModel = (input: string): E.Either<DomainError, Model> => {
  const s = input.trim();
  return MODEL.test(s) ? E.right(s as Model) : invalid('a phone model is 1 to 64 letters, digits, ".", "_" or "-"');
};
