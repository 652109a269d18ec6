import { describe, expect, it } from 'vitest';
import { parseProvisioningCode, ProvisioningCode } from '../../../src/domain/values';
import { leftOf, rightOf } from '../decider-spec';

describe('provisioning code', () => {
  it.each([
    ['123456789012'],
    ['1234 5678 9012'],
    ['1234-5678-9012'],
    ['123 456 789 012'],
    ['123456789012#'],
    ['1234 5678 9012 #'],
    [' 123456789012 '],
  ])('accepts %j as 123456789012 (separators and a trailing # stripped)', (input) => {
    expect(rightOf(parseProvisioningCode(input))).toBe('123456789012');
  });

  it.each([
    ['', 'empty'],
    ['12345678901', '11 digits'],
    ['1234567890123', '13 digits'],
    ['12345678901a', 'a letter'],
    ['-123456789012', 'leading separator'],
    ['123456789012-', 'trailing separator'],
    ['1234.5678.9012', 'dots'],
    ['#123456789012', 'leading #'],
    ['123456789012##', 'two #'],
  ])('refuses %j (%s) with validation-failed', (input) => {
    const error = leftOf(parseProvisioningCode(input));
    expect(error.code).toBe('validation-failed');
    expect(error.detail).toMatch(/12 digits/);
  });

  it('decodes only 12 digits from stored events', () => {
    expect(ProvisioningCode.is('123456789012')).toBe(true);
    expect(ProvisioningCode.is('1234 5678 9012')).toBe(false);
  });
});
