/**
 * Points in time: RFC 3339 UTC strings, canonical form `YYYY-MM-DDTHH:MM:SS.mmmZ`
 * (what `Date.prototype.toISOString` writes). Input may use any RFC 3339 offset and any
 * number of fraction digits; it is converted to UTC and cut to milliseconds. The domain
 * never reads a clock: the time of a decision arrives in the command as `now`.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { invalid } from './refuse';

interface TimestampBrand {
  readonly Timestamp: unique symbol;
}

const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export const MILLIS_PER_DAY = 86_400_000;

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (isLeapYear(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;

/** Milliseconds since the epoch of a valid RFC 3339 string, or null. */
const parseMillis = (input: string): number | null => {
  const m = RFC3339.exec(input);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number, number, number, number, number, number,
  ];
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const fraction = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, fraction) - offsetMinutes * 60_000;
};

const canonical = (ms: number): string | null => {
  if (!Number.isFinite(ms)) return null;
  const s = new Date(ms).toISOString();
  return CANONICAL.test(s) ? s : null;
};

export const Timestamp = t.brand(
  t.string,
  // a canonical string is valid when the date it names writes back as itself (not 30 February), from year 1000 on
  (s): s is t.Branded<string, TimestampBrand> => CANONICAL.test(s) && s.charCodeAt(0) !== 48 && canonical(Date.parse(s)) === s,
  'Timestamp',
);
export type Timestamp = t.TypeOf<typeof Timestamp>;

/** Accepts any RFC 3339 date-time with an offset; answers its canonical UTC form. */
export const parseTimestamp = (input: string): E.Either<DomainError, Timestamp> => {
  const ms = parseMillis(input.trim());
  const s = ms === null ? null : canonical(ms);
  return s === null
    ? invalid(`not an RFC 3339 date-time with offset (e.g. 2025-01-31T12:00:00Z): ${JSON.stringify(input.slice(0, 64))}`)
    : E.right(s as Timestamp);
};

/** The canonical timestamp of a number of milliseconds since the epoch (throws outside years 1000..9999). */
export const timestampFromMillis = (ms: number): Timestamp => {
  const s = canonical(ms);
  if (s === null) throw new RangeError(`time out of range: ${ms}`);
  return s as Timestamp;
};

export const toMillis = (ts: Timestamp): number => Date.parse(ts);

export const addMillis = (ts: Timestamp, ms: number): Timestamp => timestampFromMillis(toMillis(ts) + ms);

export const addDays = (ts: Timestamp, days: number): Timestamp => addMillis(ts, days * MILLIS_PER_DAY);

/** a < b */
export const isBefore = (a: Timestamp, b: Timestamp): boolean => toMillis(a) < toMillis(b);

/** a >= b */
export const isAtOrAfter = (a: Timestamp, b: Timestamp): boolean => !isBefore(a, b);
