/**
 * A config revision: names one merged config (see devices/matching.ts, which derives it
 * from the jobs merged). Phones echo it back; 1 to 64 letters, digits, `.`, `_`, `-`.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { invalid } from './refuse';

interface ConfigRevisionBrand {
  readonly ConfigRevision: unique symbol;
}

const REVISION = /^[A-Za-z0-9._-]{1,64}$/;

export const ConfigRevision = t.brand(
  t.string,
  (s): s is t.Branded<string, ConfigRevisionBrand> => REVISION.test(s),
  'ConfigRevision',
);
export type ConfigRevision = t.TypeOf<typeof ConfigRevision>;

export const parseConfigRevision = (input: string): E.Either<DomainError, ConfigRevision> =>
  REVISION.test(input) ? E.right(input as ConfigRevision) : invalid('a config revision is 1 to 64 letters, digits, ".", "_" or "-"');
