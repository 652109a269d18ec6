/**
 * A codec of strings that a domain smart constructor turns into a value object: decoded at
 * the edge, so a handler receives branded values only, and a bad value is refused with the
 * constructor's reason (a 400 naming the field). Carries its JSON schema for OpenAPI.
 */
import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import type { DomainError } from '../../domain';
import { withSchema, type JsonSchema } from './codec-schema';

export const parsed = <A>(name: string, parse: (input: string) => E.Either<DomainError, A>, schema: JsonSchema = {}): t.Type<A, unknown, unknown> =>
  withSchema(
    new t.Type<A, unknown, unknown>(
      name,
      (u): u is A => typeof u === 'string' && E.isRight(parse(u)),
      (u, c) => {
        if (typeof u !== 'string') return t.failure(u, c, `expected ${name} as a string`);
        const result = parse(u);
        return E.isLeft(result) ? t.failure(u, c, result.left.detail) : t.success(result.right);
      },
      t.identity,
    ),
    { type: 'string', ...schema },
  );
