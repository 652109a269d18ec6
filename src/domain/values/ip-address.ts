/** IP addresses (a phone's local IP): dotted IPv4 or IPv6, IPv6 in its compressed lowercase form. */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import type { DomainError } from '../decider';
import { invalid } from './refuse';

interface IpAddressBrand {
  readonly IpAddress: unique symbol;
}

const IPV4 = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

const canonicalIp = (input: string): string | null => {
  if (IPV4.test(input)) return input;
  if (!/^[0-9a-fA-F:.]{2,45}$/.test(input) || !input.includes(':')) return null;
  const url = `http://[${input}]/`;
  return URL.canParse(url) ? new URL(url).hostname.slice(1, -1) : null;
};

export const IpAddress = t.brand(t.string, (s): s is t.Branded<string, IpAddressBrand> => canonicalIp(s) === s, 'IpAddress');
export type IpAddress = t.TypeOf<typeof IpAddress>;

export const parseIpAddress = (input: string): E.Either<DomainError, IpAddress> => {
  const ip = canonicalIp(input.trim());
  return ip === null ? invalid('an IP address is dotted IPv4 (192.0.2.10) or IPv6 (2001:db8::10)') : E.right(ip as IpAddress);
};
