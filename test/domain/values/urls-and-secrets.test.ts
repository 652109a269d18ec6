import { describe, expect, it } from 'vitest';
import {
  devicesUrlAllowed,
  DevicesUrl,
  parseDevicesUrl,
  parseDigest,
  parseDownloadUrl,
  parseIpAddress,
  parseJsonObject,
  parseSealed,
} from '../../../src/domain/values';
import { leftOf, rightOf } from '../decider-spec';
import { url } from '../fixtures';

describe('Devices URL', () => {
  it.each([
    ['https://devices.example.com', 'https://devices.example.com'],
    ['https://Devices.Example.com:443/', 'https://devices.example.com'],
    ['http://10.0.0.5:8080/zt//', 'http://10.0.0.5:8080/zt'],
    ['https://devices.example.com/a/../b/', 'https://devices.example.com/b'],
  ])('normalises %j to %j', (input, normal) => {
    expect(rightOf(parseDevicesUrl(input))).toBe(normal);
  });

  it.each([
    ['ftp://devices.example.com'],
    ['devices.example.com'],
    ['https://user:pw@devices.example.com'],
    ['https://devices.example.com/?tenant=1'],
    ['https://devices.example.com/#x'],
    [''],
  ])('refuses %j', (input) => {
    expect(leftOf(parseDevicesUrl(input)).code).toBe('validation-failed');
  });

  it('allows the registered URL and paths below it, at a path boundary only', () => {
    const registered = url('https://a.example');
    expect(devicesUrlAllowed(registered, url('https://a.example'))).toBe(true);
    expect(devicesUrlAllowed(registered, url('https://a.example/tenant1'))).toBe(true);
    expect(devicesUrlAllowed(registered, url('https://a.example.evil.com'))).toBe(false);
    expect(devicesUrlAllowed(registered, url('https://a.example:8443'))).toBe(false);
    expect(devicesUrlAllowed(registered, url('http://a.example'))).toBe(false);
    const withPath = url('https://a.example/zt');
    expect(devicesUrlAllowed(withPath, url('https://a.example/zt/x'))).toBe(true);
    expect(devicesUrlAllowed(withPath, url('https://a.example/zt2'))).toBe(false);
    expect(devicesUrlAllowed(withPath, url('https://a.example'))).toBe(false);
  });

  it('decodes only normalised URLs from stored events', () => {
    expect(DevicesUrl.is('https://a.example')).toBe(true);
    expect(DevicesUrl.is('https://a.example/')).toBe(false);
    expect(DevicesUrl.is('https://A.example')).toBe(false);
  });
});

describe('download URL, IP address, secrets, JSON', () => {
  it('download URLs are http or https', () => {
    expect(rightOf(parseDownloadUrl('https://fw.example.com/x.bin'))).toBe('https://fw.example.com/x.bin');
    expect(leftOf(parseDownloadUrl('file:///etc/passwd')).code).toBe('validation-failed');
  });

  it('IP addresses are IPv4 or IPv6 (compressed, lowercase)', () => {
    expect(rightOf(parseIpAddress('192.168.1.20'))).toBe('192.168.1.20');
    expect(rightOf(parseIpAddress('2001:DB8:0:0::10'))).toBe('2001:db8::10');
    expect(leftOf(parseIpAddress('192.168.1.256')).code).toBe('validation-failed');
    expect(leftOf(parseIpAddress('phone.local')).code).toBe('validation-failed');
    expect(leftOf(parseIpAddress('01.2.3.4')).code).toBe('validation-failed');
  });

  it('digests are hex or base64url, 16 to 128 characters; sealed secrets printable', () => {
    expect(rightOf(parseDigest('a'.repeat(64)))).toBe('a'.repeat(64));
    expect(leftOf(parseDigest('short')).code).toBe('validation-failed');
    expect(leftOf(parseDigest('a+b/'.repeat(8))).code).toBe('validation-failed');
    expect(rightOf(parseSealed('v1.abc.def.ghi+/=xyz'))).toBe('v1.abc.def.ghi+/=xyz');
    expect(leftOf(parseSealed('with space 0123456789')).code).toBe('validation-failed');
  });

  it('JSON objects have finite numbers and no undefined, Date or bigint', () => {
    expect(rightOf(parseJsonObject({ a: [1, 'x', null, { b: true }] }))).toEqual({ a: [1, 'x', null, { b: true }] });
    expect(leftOf(parseJsonObject([1])).code).toBe('validation-failed');
    expect(leftOf(parseJsonObject({ a: Number.NaN })).code).toBe('validation-failed');
    expect(leftOf(parseJsonObject({ a: undefined })).code).toBe('validation-failed');
    expect(leftOf(parseJsonObject({ a: new Date(0) })).code).toBe('validation-failed');
    expect(leftOf(parseJsonObject({ a: 1n })).code).toBe('validation-failed');
    expect(leftOf(parseJsonObject({ a: 'x'.repeat(100) }, 50)).code).toBe('validation-failed');
  });
});
