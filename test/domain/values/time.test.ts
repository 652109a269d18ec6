import { describe, expect, it } from 'vitest';
import { addDays, isAtOrAfter, isBefore, parseTimestamp, Timestamp } from '../../../src/domain/values';
import { leftOf, rightOf } from '../decider-spec';

describe('timestamps', () => {
  it.each([
    ['2025-03-01T09:00:00Z', '2025-03-01T09:00:00.000Z'],
    ['2025-03-01T09:00:00.5Z', '2025-03-01T09:00:00.500Z'],
    ['2025-03-01T09:00:00.123456789Z', '2025-03-01T09:00:00.123Z'],
    ['2025-03-01T10:00:00+01:00', '2025-03-01T09:00:00.000Z'],
    ['2025-03-01t09:00:00z', '2025-03-01T09:00:00.000Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('accepts RFC 3339 %j and answers canonical UTC %j', (input, canonical) => {
    expect(rightOf(parseTimestamp(input))).toBe(canonical);
  });

  it.each([
    ['', 'empty'],
    ['2025-03-01', 'date only'],
    ['2025-03-01T09:00:00', 'no offset'],
    ['2025-02-29T09:00:00Z', 'no such day'],
    ['2025-13-01T09:00:00Z', 'no such month'],
    ['2025-03-01T24:00:00Z', 'hour 24'],
    ['2025-03-01T09:00:60Z', 'leap second'],
    ['1 March 2025', 'prose'],
  ])('refuses %j (%s)', (input) => {
    expect(leftOf(parseTimestamp(input)).code).toBe('validation-failed');
  });

  it('adds days and compares', () => {
    const t0 = rightOf(parseTimestamp('2025-03-01T09:00:00Z'));
    const t7 = addDays(t0, 7);
    expect(t7).toBe('2025-03-08T09:00:00.000Z');
    expect(isBefore(t0, t7)).toBe(true);
    expect(isAtOrAfter(t7, t7)).toBe(true);
    expect(isAtOrAfter(t0, t7)).toBe(false);
  });

  it('decodes only the canonical form from stored events', () => {
    expect(Timestamp.is('2025-03-01T09:00:00.000Z')).toBe(true);
    expect(Timestamp.is('2025-03-01T09:00:00Z')).toBe(false);
    expect(Timestamp.is('2025-02-30T09:00:00.000Z')).toBe(false);
  });
});
