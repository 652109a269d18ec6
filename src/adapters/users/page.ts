/** Paging of long lists: `limit` from 1 to 10,000, in a JSON message or a query string. */
import * as t from 'io-ts';
import { withSchema } from '../http/codec-schema';

export const MAX_PAGE = 10_000;

const inRange = (n: number): boolean => Number.isSafeInteger(n) && n >= 1 && n <= MAX_PAGE;
const schema = { type: 'integer', minimum: 1, maximum: MAX_PAGE };

/** A number in a JSON message. */
export const PageLimit = withSchema(
  new t.Type<number, number, unknown>(
    'PageLimit',
    (u): u is number => typeof u === 'number' && inRange(u),
    (u, c) => (typeof u === 'number' && inRange(u) ? t.success(u) : t.failure(u, c, `an integer from 1 to ${MAX_PAGE}`)),
    t.identity,
  ),
  schema,
);

/** Digits in a query string. */
export const PageLimitFromString = withSchema(
  new t.Type<number, string, unknown>(
    'PageLimitFromString',
    (u): u is number => typeof u === 'number' && inRange(u),
    (u, c) => (typeof u === 'string' && /^\d{1,6}$/.test(u) && inRange(Number(u)) ? t.success(Number(u)) : t.failure(u, c, `an integer from 1 to ${MAX_PAGE}`)),
    String,
  ),
  schema,
);

/** where a page of past rollouts starts: the `next` of the page before (16 digits) */
export const RolloutCursor = withSchema(
  new t.Type<string, string, unknown>(
    'RolloutCursor',
    (u): u is string => typeof u === 'string' && /^\d{16}$/.test(u),
    (u, c) => (typeof u === 'string' && /^\d{16}$/.test(u) ? t.success(u) : t.failure(u, c, 'a cursor is the next of the page before (16 digits)')),
    t.identity,
  ),
  { type: 'string', pattern: '^\\d{16}$' },
);
