import { describe, expect, it } from 'vitest';
import { Mac, parseMac } from '../../../src/domain/values';
import { leftOf, rightOf } from '../decider-spec';

describe('MAC address', () => {
  it.each([
    ['00:90:33:AA:BB:CC'],
    ['00-90-33-aa-bb-cc'],
    ['009033aabbcc'],
    ['009033AABBCC'],
    ['0090.33aa.bbcc'],
    ['  00:90:33:aa:bb:cc  '],
  ])('accepts %j and answers 12 lowercase hex digits', (input) => {
    expect(rightOf(parseMac(input))).toBe('009033aabbcc');
  });

  it.each([
    ['', 'empty'],
    ['00:90:33:aa:bb', 'too short'],
    ['00:90:33:aa:bb:cc:dd', 'too long'],
    ['00:90-33:aa:bb:cc', 'mixed separators'],
    ['00:90:33:aa:bb:cg', 'not hex'],
    ['0:90:33:aa:bb:cc', 'unpadded octet'],
  ])('refuses %j (%s) with validation-failed and a reason', (input) => {
    const error = leftOf(parseMac(input));
    expect(error.code).toBe('validation-failed');
    expect(error.detail).toMatch(/12 hex digits/);
  });

  it('refuses the all-zero and the broadcast address', () => {
    expect(leftOf(parseMac('00:00:00:00:00:00')).code).toBe('validation-failed');
    expect(leftOf(parseMac('ff:ff:ff:ff:ff:ff')).code).toBe('validation-failed');
  });

  it('decodes only the canonical form from stored events', () => {
    expect(Mac.is('009033aabbcc')).toBe(true);
    expect(Mac.is('00:90:33:aa:bb:cc')).toBe(false);
    expect(Mac.is('009033AABBCC')).toBe(false);
  });
});
