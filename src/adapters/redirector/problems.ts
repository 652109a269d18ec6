/** OpenAPI entries for the problems a Redirector route answers beyond those its shape implies (see route.ts). */
import type { Responses } from '../http/openapi-responses';

const DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'validation-failed: the request is not valid',
  401: 'unauthorized: missing or wrong credentials',
  403: "forbidden: the Devices URL is outside the installation's registered URL",
  404: 'not found (unknown-code for a code)',
  409: 'conflict',
  413: 'payload-too-large: the body is over 64 KiB',
  429: 'rate-limited: too many wrong codes from this source IP or for this MAC; see Retry-After',
};

export const problems = (...statuses: readonly number[]): Responses => Object.fromEntries(statuses.map((s) => [s, { description: DESCRIPTIONS[s] ?? 'problem' }]));
