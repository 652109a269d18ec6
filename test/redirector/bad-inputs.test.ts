/**
 * Bad values in every field of every route: each is answered with a clear 400 problem
 * naming it, the server keeps running, no event is appended and nothing stored is lost.
 * Bodies that are no JSON object, too large, too deep or of another media type are
 * test/e2e/hostile-input.test.ts, for every route of every part.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/application/ports/event-store';
import { allEvents, bearer, head, issueCode, PHONE, redeem, registerInstallation, startRedirector, type Redirector } from './support';

let r: Redirector;
let apiKey: string;
let installationId: string;
let code: string;
let before: { head: number; events: RecordedEvent[] };

beforeAll(async () => {
  r = await startRedirector();
  ({ apiKey, installationId } = await registerInstallation(r));
  ({ code } = await issueCode(r, apiKey));
  expect((await redeem(r, code)).statusCode).toBe(200);
  before = { head: await head(r), events: await allEvents(r) };
});
afterAll(() => r.close());

const phone = { ...PHONE, code: '123456789012' };
const without = (key: string) => Object.fromEntries(Object.entries(phone).filter(([k]) => k !== key));

type Case = readonly [label: string, body: unknown, status?: number, contentType?: string];

const redeemCases: readonly Case[] = [
  ['no code', without('code')],
  ['code as a number', { ...phone, code: 123456789012 }],
  ['code of 11 digits', { ...phone, code: '12345678901' }],
  ['code of 13 digits', { ...phone, code: '1234567890123' }],
  ['code with letters', { ...phone, code: '1234abcd9012' }],
  ['code of 11 digits with separators', { ...phone, code: '1234-5678-901' }],
  ['code as null', { ...phone, code: null }],
  ['no mac', without('mac')],
  ['mac of 11 hex digits', { ...phone, mac: '009033aabbc' }],
  ['mac with a non-hex digit', { ...phone, mac: '00:90:33:aa:bb:zz' }],
  ['mac with mixed separators', { ...phone, mac: '00:90-33:aa:bb:cc' }],
  ['broadcast mac', { ...phone, mac: 'ff:ff:ff:ff:ff:ff' }],
  ['mac as an array', { ...phone, mac: ['009033aabbcc'] }],
  ['no model', without('model')],
  ['model with spaces', { ...phone, model: 'IP 112' }],
  ['model too long', { ...phone, model: 'M'.repeat(65) }],
  ['firmware as a number', { ...phone, firmware: 13 }],
  ['firmware empty', { ...phone, firmware: '' }],
  ['bootcode with a control character', { ...phone, bootcode: 'boot\u0007' }],
  ['no localIp', without('localIp')],
  ['localIp not an address', { ...phone, localIp: '999.1.1.1' }],
  ['localIp a host name', { ...phone, localIp: 'phone.local' }],
];

const initCases: readonly Case[] = [
  ['no mac', { model: 'IP112', firmware: '13r1', bootcode: 'b', localIp: '192.0.2.1' }],
  ['bad mac', { ...phone, mac: 'not-a-mac' }],
  ['mac as a number', { ...phone, mac: 9033 }],
  ['model missing', without('model')],
  ['localIp missing', without('localIp')],
];

const installationCases: readonly Case[] = [
  ['no name', { devicesUrl: 'https://x.example.com' }],
  ['name as a number', { name: 7, devicesUrl: 'https://x.example.com' }],
  ['blank name', { name: '   ', devicesUrl: 'https://x.example.com' }],
  ['name too long', { name: 'n'.repeat(201), devicesUrl: 'https://x.example.com' }],
  ['no devicesUrl', { name: 'X' }],
  ['relative devicesUrl', { name: 'X', devicesUrl: '/devices' }],
  ['devicesUrl with user info', { name: 'X', devicesUrl: 'https://u:p@x.example.com' }],
  ['devicesUrl with a fragment', { name: 'X', devicesUrl: 'https://x.example.com/#a' }],
  ['devicesUrl not http', { name: 'X', devicesUrl: 'javascript:alert(1)' }],
];

const codeCases: readonly Case[] = [
  ['no devicesUrl', {}],
  ['devicesUrl as a number', { devicesUrl: 1 }],
  ['devicesUrl with a query', { devicesUrl: 'https://devices.example.com?x=1' }],
  ['devicesUrl not a URL', { devicesUrl: 'devices.example.com' }],
];

const claimCases: readonly Case[] = [
  ['no macs', {}],
  ['macs not a list', { macs: '009033aabbcc' }],
  ['an empty list', { macs: [] }],
  ['a bad MAC in the list', { macs: ['009033aabbcc', 'xyz'] }],
  ['a number in the list', { macs: [9033] }],
  ['more than 1000 MACs', { macs: Array.from({ length: 1001 }, (_, i) => `0090${i.toString(16).padStart(8, '0')}`) }],
];

const send = (method: 'POST' | 'GET' | 'DELETE', url: string, headers: Record<string, string>, body?: unknown, contentType = 'application/json') =>
  r.app.inject({
    method,
    url: `/redirector/v1${url}`,
    headers: body === undefined ? headers : { 'content-type': contentType, ...headers },
    ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

const expectRefused = async (res: Awaited<ReturnType<typeof send>>, status: number) => {
  expect(res.statusCode, res.body).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const problem = res.json();
  expect(problem).toMatchObject({ status, code: 'validation-failed' });
  expect(problem.detail.length).toBeGreaterThan(5);
  expect(await head(r)).toBe(before.head);
};

describe.each([
  ['POST /phone/redeem', '/phone/redeem', {}, redeemCases],
  ['POST /phone/init', '/phone/init', {}, initCases],
  ['POST /installations', '/installations', 'operator', installationCases],
  ['POST /codes', '/codes', 'apiKey', codeCases],
  ['POST /claims', '/claims', 'apiKey', claimCases],
] as const)('%s', (_name, url, auth, cases) => {
  const headers = () => (auth === 'operator' ? r.operator : auth === 'apiKey' ? bearer(apiKey) : {});
  it.each(cases.map((c) => [c[0], c] as const))('refuses %s', async (_label, [, body, status = 400, contentType]) => {
    await expectRefused(await send('POST', url, headers(), body, contentType), status);
  });
});

describe('path and query parameters', () => {
  it.each([
    ['DELETE /codes/{code}: 11 digits', 'DELETE', '/codes/12345678901'],
    ['DELETE /codes/{code}: 13 digits', 'DELETE', '/codes/1234567890123'],
    ['DELETE /codes/{code}: letters', 'DELETE', '/codes/abcdefghijkl'],
    ['DELETE /codes/{code}: blank', 'DELETE', '/codes/%20'],
    ['POST /installations/{id}/api-key: a bad id', 'POST', '/installations/-leading-dash/api-key'],
    ['POST /installations/{id}/api-key: an id of 129 characters', 'POST', `/installations/${'a'.repeat(129)}/api-key`],
    ['DELETE /codes/{code}: a broken URL encoding', 'DELETE', '/codes/%zz'],
    ['GET /installations: a negative limit', 'GET', '/installations?limit=-1'],
    ['GET /installations: a limit too large', 'GET', '/installations?limit=100000'],
    ['GET /installations: a bad cursor', 'GET', '/installations?after=%2F%2F'],
  ] as const)('refuses %s', async (_label, method, url) => {
    const headers = url.startsWith('/codes') ? bearer(apiKey) : r.operator;
    await expectRefused(await send(method, url, headers, method === 'POST' ? {} : undefined), 400);
  });
});

describe('after all of that', () => {
  it('the server still answers, nothing was appended and nothing stored was lost', async () => {
    expect((await r.app.inject('/healthz')).statusCode).toBe(200);
    expect(await allEvents(r)).toEqual(before.events);
    expect((await redeem(r, code)).json()).toEqual({ devicesUrl: 'https://devices.example.com' });
    const rotated = await send('POST', `/installations/${installationId}/api-key`, r.operator, {});
    expect(rotated.statusCode).toBe(201);
  });
});
