/**
 * The inputs that more than one part decodes alike, one codec each: what a phone sends
 * the Redirector and Devices (its MAC, code, model, versions, address), ids and display
 * names. A part's codecs.ts re-exports the ones it takes.
 */
import { parseDisplayName, parseFirmwareVersion, parseId, parseIpAddress, parseMac, parseModel, parseProvisioningCode } from '../../domain';
import { parsed } from './parsed-codec';
import { PATTERNS } from './patterns';

export const MacInput = parsed('a MAC address', parseMac, {
  pattern: PATTERNS.mac,
  description: 'MAC address: 00:90:33:AA:BB:CC, 00-90-33-aa-bb-cc or 009033aabbcc',
  example: '00:90:33:aa:bb:cc',
});
export const CodeInput = parsed('a provisioning code', parseProvisioningCode, {
  pattern: PATTERNS.code,
  description: '12 digits, optionally grouped by spaces or dashes',
  example: '1234 5678 9012',
});
export const ModelInput = parsed('a phone model', parseModel, { description: 'the phone model, e.g. IP112', pattern: PATTERNS.model, example: 'IP112' });
export const VersionInput = parsed('a firmware or bootcode version', parseFirmwareVersion, {
  description: 'printable ASCII, 1 to 64 characters',
  pattern: PATTERNS.version,
  maxLength: 64,
  example: '13r3 sr5 [13.7150]',
});
export const IpInput = parsed('an IP address', parseIpAddress, { description: 'IPv4 or IPv6 address', example: '192.0.2.10' });
export const IdInput = parsed('an id', (s) => parseId(s), { pattern: PATTERNS.id });
export const DisplayNameInput = parsed('a name', (s) => parseDisplayName(s), { minLength: 1, maxLength: 200 });
