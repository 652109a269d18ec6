/**
 * URLs. A Devices URL is the base URL of a Devices service: http or https, no user info,
 * query or fragment, host in lowercase, default port and trailing slashes dropped
 * (`https://Devices.Example.com:443/zt/` → `https://devices.example.com/zt`).
 * A download URL (firmware files) is any http or https URL, kept as parsed.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { invalid } from './refuse';

interface DevicesUrlBrand {
  readonly DevicesUrl: unique symbol;
}
interface DownloadUrlBrand {
  readonly DownloadUrl: unique symbol;
}

const parseHttpUrl = (input: string): URL | null => {
  if (input.length > 2048 || !URL.canParse(input)) return null;
  const url = new URL(input);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
};

const normaliseDevicesUrl = (input: string): E.Either<string, string> => {
  const url = parseHttpUrl(input.trim());
  if (url === null) return E.left('a Devices URL is an absolute http or https URL');
  if (url.username !== '' || url.password !== '') return E.left('a Devices URL carries no user name or password');
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(input.trim())) {
    return E.left('a Devices URL has no query or fragment');
  }
  return E.right(url.href.replace(/\/+$/, ''));
};

export const DevicesUrl = t.brand(
  t.string,
  (s): s is t.Branded<string, DevicesUrlBrand> => {
    const n = normaliseDevicesUrl(s);
    return E.isRight(n) && n.right === s;
  },
  'DevicesUrl',
);
export type DevicesUrl = t.TypeOf<typeof DevicesUrl>;

export const parseDevicesUrl = (input: string): E.Either<DomainError, DevicesUrl> => {
  const n = normaliseDevicesUrl(input);
  return E.isRight(n) ? E.right(n.right as DevicesUrl) : invalid(n.left);
};

/**
 * May an installation registered with `registered` ask for codes that send phones to
 * `requested`? Only for its own URL or a path below it: `https://a.example` allows
 * `https://a.example/tenant1`, but not `https://a.example.evil.com` or `https://a.example:8443`.
 */
export const devicesUrlAllowed = (registered: DevicesUrl, requested: DevicesUrl): boolean =>
  requested === registered || requested.startsWith(`${registered}/`);

export const DownloadUrl = t.brand(
  t.string,
  (s): s is t.Branded<string, DownloadUrlBrand> => parseHttpUrl(s)?.href === s,
  'DownloadUrl',
);
export type DownloadUrl = t.TypeOf<typeof DownloadUrl>;

export const parseDownloadUrl = (input: string): E.Either<DomainError, DownloadUrl> => {
  const url = parseHttpUrl(input.trim());
  return url === null ? invalid('a download URL is an absolute http or https URL') : E.right(url.href as DownloadUrl);
};
