/** A domain refusal as the problem the route answers (the domain's codes are SPEC §3 tokens). */
import * as E from 'fp-ts/Either';
import type { DomainError } from '../../domain';
import { HttpProblem } from '../http/problem';

export const problemOf = (error: DomainError, extensions?: Record<string, unknown>): HttpProblem =>
  new HttpProblem(error.code, error.detail, extensions === undefined ? {} : { extensions });

/** the value, or the refusal thrown as its problem */
export const orProblem = <A>(result: E.Either<DomainError, A>): A => {
  if (E.isLeft(result)) throw problemOf(result.left);
  return result.right;
};
