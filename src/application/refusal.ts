/**
 * How any handler of any part says no: a `Refusal`, thrown, with a stable SPEC §3 token
 * and a detail for people. A decider's `DomainError` keeps its token (`orRefuse`); the
 * application adds the tokens only it can tell (a bad credential, a throttled guesser, a
 * service it needs that is down or answers wrongly), and relays the token another part
 * answered. The adapters answer it in one table (`src/adapters/refusals.ts`): an RFC 9457
 * problem on HTTP, an `error: {code, detail}` result on a WebSocket.
 */
import * as E from 'fp-ts/Either';
import type { DomainError, DomainErrorCode } from '../domain';

export type RefusalCode =
  | DomainErrorCode
  | 'unauthorized'
  | 'rate-limited'
  | 'unavailable'
  | 'bad-gateway'
  /** relayed only: what another part answered (a message over its limit, its own failure) */
  | 'payload-too-large'
  | 'internal-error';

export interface RefusalOptions {
  /** for `rate-limited` and `unavailable`: when to try again (HTTP `Retry-After`) */
  readonly retryAfterSeconds?: number;
  /** facts a client may act on beyond the detail (RFC 9457 extension members), e.g. the MACs in conflict */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

export class Refusal extends Error {
  override readonly name = 'Refusal';
  readonly retryAfterSeconds: number | undefined;
  readonly extensions: Readonly<Record<string, unknown>> | undefined;
  constructor(
    readonly code: RefusalCode,
    readonly detail: string,
    options: RefusalOptions = {},
  ) {
    super(detail);
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.extensions = options.extensions;
  }
}

export const refusalOf = (error: DomainError, options?: RefusalOptions): Refusal => new Refusal(error.code, error.detail, options);

/** The value, or the domain's refusal thrown as a Refusal. */
export const orRefuse = <A>(either: E.Either<DomainError, A>): A => {
  if (E.isLeft(either)) throw refusalOf(either.left);
  return either.right;
};
