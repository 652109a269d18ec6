/**
 * How a Devices handler says no: a stable SPEC §3 token and a detail for people. Domain
 * refusals keep their token; the application adds the ones only it can tell (a bad
 * credential, a throttled guesser, a Redirector that is down or refuses).
 */
import * as E from 'fp-ts/Either';
import type { DomainError, DomainErrorCode } from '../../domain';

export type RefusalCode = DomainErrorCode | 'unauthorized' | 'rate-limited' | 'unavailable' | 'bad-gateway';

export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    readonly code: RefusalCode,
    readonly detail: string,
    /** for `rate-limited` and `unavailable`: when to try again */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
  }
}

export const refusalOf = (error: DomainError): Refusal => new Refusal(error.code, error.detail);

/** The value, or the domain's refusal thrown as a Refusal. */
export const orRefuse = <A>(either: E.Either<DomainError, A>): A => {
  if (E.isLeft(either)) throw refusalOf(either.left);
  return either.right;
};
