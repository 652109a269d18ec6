import { describe, expect, it } from 'vitest';
import {
  parseCategoryId,
  parseCategorySelector,
  parseDisplayName,
  parseDomainName,
  parseEmail,
  parseFirmwareVersion,
  parseId,
  parseModel,
} from '../../../src/domain/values';
import { leftOf, rightOf } from '../decider-spec';

describe('domain name', () => {
  it('is held in lowercase without a trailing dot', () => {
    expect(rightOf(parseDomainName(' Example.COM. '))).toBe('example.com');
    expect(rightOf(parseDomainName('xn--bcher-kva.example'))).toBe('xn--bcher-kva.example');
    expect(rightOf(parseDomainName('acme'))).toBe('acme');
  });

  it.each([
    ['', /empty/],
    ['exa mple.com', /labels/],
    ['-example.com', /labels/],
    ['example-.com', /labels/],
    ['example..com', /labels/],
    ['bücher.example', /xn--/],
    [`${'a'.repeat(64)}.com`, /63/],
    [`${'a.'.repeat(127)}com`, /253/],
  ])('refuses %j', (input, reason) => {
    const error = leftOf(parseDomainName(input));
    expect(error.code).toBe('validation-failed');
    expect(error.detail).toMatch(reason);
  });
});

describe('category id', () => {
  it('is held in lowercase', () => {
    expect(rightOf(parseCategoryId('Office'))).toBe('office');
    expect(rightOf(parseCategoryId('lab-2.floor_3'))).toBe('lab-2.floor_3');
  });

  it.each([[''], ['*'], ['-lab'], ['a b'], ['x'.repeat(65)]])('refuses %j', (input) => {
    expect(leftOf(parseCategoryId(input)).code).toBe('validation-failed');
  });

  it('a selector is a category id or * for every category', () => {
    expect(rightOf(parseCategorySelector('*'))).toBe('*');
    expect(rightOf(parseCategorySelector('Office'))).toBe('office');
    expect(leftOf(parseCategorySelector('**')).code).toBe('validation-failed');
  });
});

describe('firmware version', () => {
  it('is trimmed with runs of spaces collapsed', () => {
    expect(rightOf(parseFirmwareVersion('  13r3  sr5 [13.7150] '))).toBe('13r3 sr5 [13.7150]');
  });

  it.each([[''], ['   '], ['13r3\tsr5'], ['13r3 ✓'], ['v'.repeat(65)]])('refuses %j', (input) => {
    expect(leftOf(parseFirmwareVersion(input)).code).toBe('validation-failed');
  });
});

describe('ids, names, e-mail, models', () => {
  it('ids keep their case and allow e-mail-like ids', () => {
    expect(rightOf(parseId('alice@example.com'))).toBe('alice@example.com');
    expect(rightOf(parseId('6f1c2c1e-8a3b-4a57-9a8f-1d2e3f4a5b6c'))).toBe('6f1c2c1e-8a3b-4a57-9a8f-1d2e3f4a5b6c');
    expect(leftOf(parseId('')).code).toBe('validation-failed');
    expect(leftOf(parseId('a/b')).code).toBe('validation-failed');
    expect(leftOf(parseId('_x')).code).toBe('validation-failed');
  });

  it('display names are trimmed, non-empty, without control characters', () => {
    expect(rightOf(parseDisplayName('  Alice Ängström '))).toBe('Alice Ängström');
    expect(leftOf(parseDisplayName('  ')).detail).toMatch(/empty/);
    expect(leftOf(parseDisplayName('a\u0000b')).detail).toMatch(/control/);
    expect(leftOf(parseDisplayName('n'.repeat(201))).detail).toMatch(/200/);
  });

  it('e-mail addresses need a local part, @ and a dotted domain', () => {
    expect(rightOf(parseEmail(' alice@example.com '))).toBe('alice@example.com');
    expect(leftOf(parseEmail('alice')).code).toBe('validation-failed');
    expect(leftOf(parseEmail('alice@localhost')).code).toBe('validation-failed');
  });

  it('models keep their case', () => {
    expect(rightOf(parseModel('IP112'))).toBe('IP112');
    expect(leftOf(parseModel('IP 112')).code).toBe('validation-failed');
  });
});
