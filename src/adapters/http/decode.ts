/** io-ts decoding at the edge: bad input becomes one clear 400 validation-failed problem. */
import * as E from 'fp-ts/Either';
import type * as t from 'io-ts';
import { preview } from './bounded-json';
import { HttpProblem } from './problem';

/**
 * Readable lines for io-ts errors: `body.mac: expected a MAC address, got "xyz"`. At most
 * ten lines, each with a short preview of the value (any value: deep, wide or huge).
 */
export function describeErrors(errors: t.Errors, where: string): string[] {
  const lines = new Set<string>();
  for (const error of errors) {
    const path = error.context
      .map((c) => c.key)
      .filter((k, i) => k !== '' && !(i > 0 && /^\d+$/.test(k) && isUnionMember(error.context, i)))
      .map((k) => (k.length > 60 ? `${k.slice(0, 57)}...` : k))
      .join('.');
    const last = error.context[error.context.length - 1];
    const expected = error.message ?? `expected ${last?.type.name ?? 'a valid value'}`;
    const got = error.value === undefined ? 'nothing' : preview(error.value);
    lines.add(`${where}${path ? `.${path}` : ''}: ${expected}, got ${got}`);
    if (lines.size >= 10) break;
  }
  return [...lines];
}

function isUnionMember(context: t.Context, i: number): boolean {
  const parent = context[i - 1]?.type as { _tag?: string } | undefined;
  return parent?._tag === 'UnionType';
}

export function decodeOrProblem<A, O>(codec: t.Type<A, O, unknown>, input: unknown, where: string): A {
  const result = codec.decode(input);
  if (E.isRight(result)) return result.right;
  const lines = describeErrors(result.left, where);
  throw new HttpProblem('validation-failed', lines.join('; '), { extensions: { errors: lines } });
}
