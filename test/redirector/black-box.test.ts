/**
 * The Redirector as an operator runs it: `zerotouch serve --only redirector` in its own
 * process, spoken to over real HTTP on 127.0.0.1 and stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp-dir';

const root = join(import.meta.dirname, '..', '..');
const tsx = join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'cli.mjs');
const operatorToken = randomBytes(24).toString('base64url');
const dir = tempDir('zt-redirector-');
let child: ChildProcess;
let base: string;
let output = '';

beforeAll(async () => {
  child = spawn(process.execPath, [tsx, join(root, 'src', 'main.ts'), 'serve', '--only', 'redirector'], {
    env: { ...process.env, ZT_HOST: '127.0.0.1', ZT_PORT: '0', ZT_DATA_DIR: dir.path, ZT_OPERATOR_TOKEN: operatorToken, ZT_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (chunk) => (output += String(chunk)));
  base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 20_000);
    child.stdout!.on('data', (chunk) => {
      output += String(chunk);
      const url = /is running \(redirector\) at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(`${url}/redirector/v1`);
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
  });
});

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  dir.remove();
});

const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
};

const phone = { mac: '00-90-33-AA-BB-CC', model: 'IP232', firmware: '13r1 sr1', bootcode: '13r1 boot', localIp: '2001:DB8::10' };

describe('zerotouch serve --only redirector', () => {
  it('serves health, readiness, metrics and an OpenAPI document of every route by its full path', async () => {
    const origin = base.replace('/redirector/v1', '');
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    expect((await fetch(`${origin}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${origin}/metrics`)).text();
    for (const name of ['issued', 'redeemed', 'refused', 'rate_limited', 'purged']) expect(metrics).toContain(`# TYPE zt_redirector_codes_${name}_total counter`);
    const doc = (await (await fetch(`${origin}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/redirector/v1/installations',
        '/redirector/v1/installations/{id}/api-key',
        '/redirector/v1/codes',
        '/redirector/v1/codes/{code}',
        '/redirector/v1/claims',
        '/redirector/v1/phone/init',
        '/redirector/v1/phone/redeem',
      ]),
    );
    expect(Object.keys(doc.paths['/redirector/v1/phone/redeem']!)).toEqual(['post']);
  });

  it('takes a phone from init through redeem, and a revoked code stops working', async () => {
    const registered = await call('POST', '/installations', { name: 'Black Box', devicesUrl: 'https://bb.example.com/' }, { authorization: `Bearer ${operatorToken}` });
    expect(registered.status).toBe(201);
    const key = { authorization: `Bearer ${String(registered.body!['apiKey'])}` };
    expect((await call('POST', '/phone/init', phone)).body).toEqual({ action: 'prompt-code' });

    const issued = await call('POST', '/codes', { devicesUrl: 'https://bb.example.com/site-2' }, key);
    expect(issued.status).toBe(201);
    const code = String(issued.body!['code']);
    const first = await call('POST', '/phone/redeem', { ...phone, code: `${code.slice(0, 6)} ${code.slice(6)}` });
    expect(first).toMatchObject({ status: 200, body: { devicesUrl: 'https://bb.example.com/site-2' } });
    expect((await call('POST', '/phone/redeem', { ...phone, code })).status).toBe(200);
    const other = await call('POST', '/phone/redeem', { ...phone, mac: '009033aabbcd', code });
    expect(other).toMatchObject({ status: 404, body: { code: 'unknown-code' } });
    expect(other.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    expect((await call('DELETE', `/codes/${code}`, undefined, key)).status).toBe(204);
    expect((await call('POST', '/phone/redeem', { ...phone, code })).status).toBe(404);

    expect((await call('POST', '/claims', { macs: [phone.mac] }, key)).body).toEqual({ claimed: 1 });
    expect((await call('POST', '/phone/init', phone)).body).toEqual({ action: 'redirect', devicesUrl: 'https://bb.example.com' });
  });

  it('answers bad JSON with 400, a body over 64 KiB with 413 and a guesser with 429 and Retry-After', async () => {
    expect(await call('POST', '/phone/redeem', '{"code": 1')).toMatchObject({ status: 400, body: { code: 'validation-failed' } });
    expect(await call('POST', '/phone/redeem', { ...phone, code: '123456789012', pad: 'x'.repeat(70_000) })).toMatchObject({ status: 413, body: { code: 'payload-too-large' } });
    const guesser = { ...phone, mac: '00:90:33:00:99:99' };
    for (let i = 0; i < 5; i++) expect((await call('POST', '/phone/redeem', { ...guesser, code: `99999999999${i}` })).status).toBe(404);
    const throttled = await call('POST', '/phone/redeem', { ...guesser, code: '999999999990' });
    expect(throttled).toMatchObject({ status: 429, body: { code: 'rate-limited' } });
    expect(throttled.headers.get('retry-after')).toBe('60');
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
