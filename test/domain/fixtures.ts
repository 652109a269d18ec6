/** Valid values for tests, built through the smart constructors. */
import * as v from '../../src/domain/values';
import { rightOf } from './decider-spec';

export const ts = (s: string): v.Timestamp => rightOf(v.parseTimestamp(s));
export const mac = (s: string): v.Mac => rightOf(v.parseMac(s));
export const digest = (s: string): v.Digest => rightOf(v.parseDigest(s.padEnd(16, '0')));
export const sealed = (s: string): v.Sealed => rightOf(v.parseSealed(s.padEnd(16, '.')));
export const id = (s: string): v.Id => rightOf(v.parseId(s));
export const name = (s: string): v.DisplayName => rightOf(v.parseDisplayName(s));
export const email = (s: string): v.Email => rightOf(v.parseEmail(s));
export const domainName = (s: string): v.DomainName => rightOf(v.parseDomainName(s));
export const category = (s: string): v.CategoryId => rightOf(v.parseCategoryId(s));
export const version = (s: string): v.FirmwareVersion => rightOf(v.parseFirmwareVersion(s));
export const model = (s: string): v.Model => rightOf(v.parseModel(s));
export const ip = (s: string): v.IpAddress => rightOf(v.parseIpAddress(s));
export const url = (s: string): v.DevicesUrl => rightOf(v.parseDevicesUrl(s));
export const code = (s: string): v.ProvisioningCode => rightOf(v.parseProvisioningCode(s));

export const T0 = ts('2025-03-01T09:00:00Z');
export const T1 = ts('2025-03-01T09:05:00Z');
export const T2 = ts('2025-03-02T10:00:00Z');
/** T0 + 7 days: when a code issued at T0 expires */
export const T0_PLUS_7D = ts('2025-03-08T09:00:00Z');
export const JUST_BEFORE_EXPIRY = ts('2025-03-08T08:59:59.999Z');
export const AFTER_EXPIRY = ts('2025-03-09T00:00:00Z');

export const MAC_A = mac('00:90:33:aa:bb:01');
export const MAC_B = mac('00:90:33:aa:bb:02');

export const firmware = (ver: string) =>
  rightOf(
    v.parseFirmware({
      version: ver,
      bootcode: `${ver} boot`,
      files: {
        IP112: { url: `https://fw.example.com/${encodeURIComponent(ver)}/ip112.bin`, sha256: 'a'.repeat(64) },
        IP232: { url: `https://fw.example.com/${encodeURIComponent(ver)}/ip232.bin`, sha256: 'b'.repeat(64) },
      },
    }),
  );
