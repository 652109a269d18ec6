/**
 * The Redirector's wire formats as io-ts codecs. Values are decoded with the domain's
 * smart constructors (`parsed`), so a route hands its handler branded values only, and a
 * bad value is a 400 naming the field and what it should be.
 */
import * as t from 'io-ts';
import { parseDevicesUrl, parseId } from '../../domain';
import { CodeInput, DisplayNameInput, IpInput, MacInput, ModelInput, VersionInput } from '../http/value-inputs';
import { withSchema } from '../http/codec-schema';
import { parsed } from '../http/parsed-codec';
import { PATTERNS } from '../http/patterns';

export { CodeInput, DisplayNameInput, IpInput, MacInput, ModelInput, VersionInput };
export const DevicesUrlInput = parsed('a Devices URL', parseDevicesUrl, {
  format: 'uri',
  description: 'the base URL of a Devices service: http(s), no user info, query or fragment',
  example: 'https://devices.example.com',
});
export const IdInput = parsed('an id', (s) => parseId(s), { description: 'an installation id', pattern: PATTERNS.id });

const MAX_CLAIMS = 1000;
const MacList = withSchema(
  t.refinement(t.array(MacInput), (macs) => macs.length >= 1 && macs.length <= MAX_CLAIMS, `1 to ${MAX_CLAIMS} MAC addresses`),
  { type: 'array', items: { type: 'string', pattern: PATTERNS.mac, example: '00:90:33:aa:bb:cc' }, minItems: 1, maxItems: MAX_CLAIMS },
);

const Timestamp = withSchema(t.string, { type: 'string', format: 'date-time' });

// ---- requests

export const RegisterInstallationBody = t.type({ name: DisplayNameInput, devicesUrl: DevicesUrlInput });
export const InstallationParams = t.type({ id: IdInput });
const LimitInput = withSchema(
  new t.Type<number, unknown, unknown>(
    'a limit of 1 to 1000',
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= 1 && u <= 1000,
    (u, c) => {
      const n = typeof u === 'string' && /^\d{1,4}$/.test(u) ? Number(u) : Number.NaN;
      return n >= 1 && n <= 1000 ? t.success(n) : t.failure(u, c, 'expected a limit of 1 to 1000');
    },
    t.identity,
  ),
  { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
);
export const InstallationListQuery = t.partial({ limit: LimitInput, after: IdInput });
export const IssueCodeBody = t.type({ devicesUrl: DevicesUrlInput });
export const IssueCodesBody = t.type({ devicesUrl: DevicesUrlInput, count: withSchema(t.Int, { type: 'integer', minimum: 1, maximum: 1000 }) });
export const CodeParams = t.type({ code: CodeInput });
export const ClaimsBody = t.type({ macs: MacList });
export const PhoneInitBody = t.type({ mac: MacInput, model: ModelInput, firmware: VersionInput, bootcode: VersionInput, localIp: IpInput });
export const RedeemBody = t.type({ code: CodeInput, mac: MacInput, model: ModelInput, firmware: VersionInput, bootcode: VersionInput, localIp: IpInput });

// ---- answers (documentation)

export const RegisteredAnswer = t.type({ installationId: t.string, apiKey: t.string });
export const ApiKeyAnswer = t.type({ apiKey: t.string });
export const InstallationAnswer = t.type({
  installationId: t.string,
  name: t.string,
  devicesUrl: t.string,
  registeredAt: Timestamp,
  apiKeyRotatedAt: t.union([Timestamp, t.null]),
});
export const InstallationListAnswer = t.type({ installations: t.array(InstallationAnswer), next: t.union([t.string, t.null]) });
export const IssuedAnswer = t.type({ code: withSchema(t.string, { type: 'string', pattern: '^[0-9]{12}$' }), expiresAt: Timestamp });
export const IssuedBatchAnswer = t.type({ codes: t.array(IssuedAnswer) });
export const ClaimedAnswer = t.type({ claimed: t.number });
export const InitAnswer = t.union([
  t.type({ action: t.literal('prompt-code') }),
  t.type({ action: t.literal('redirect'), devicesUrl: t.string }),
]);
export const RedeemAnswer = t.type({ devicesUrl: t.string });
