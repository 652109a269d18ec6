import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, head, PHONE, post, redeem, registerInstallation, startRedirector, type Redirector } from './support';

describe('POST /codes/batch (installation): many codes at once', () => {
  let r: Redirector;
  let apiKey: string;

  beforeAll(async () => {
    r = await startRedirector();
    ({ apiKey } = await registerInstallation(r));
  });
  afterAll(() => r.close());

  it('issues distinct working codes, each valid 7 days', async () => {
    const res = await post(r.app, '/codes/batch', { devicesUrl: 'https://devices.example.com/tenant', count: 25 }, bearer(apiKey));
    expect(res.statusCode, res.body).toBe(201);
    const { codes } = res.json() as { codes: Array<{ code: string; expiresAt: string }> };
    expect(codes).toHaveLength(25);
    expect(new Set(codes.map((c) => c.code)).size).toBe(25);
    for (const c of codes) {
      expect(c.code).toMatch(/^\d{12}$/);
      expect(c.expiresAt).toBe('2026-03-08T09:00:00.000Z');
    }
    const redeemed = await redeem(r, codes[7]!.code);
    expect(redeemed.statusCode).toBe(200);
    expect(redeemed.json()).toEqual({ devicesUrl: 'https://devices.example.com/tenant' });
  });

  it.each([
    ['no count', { devicesUrl: 'https://devices.example.com' }, 400, 'validation-failed'],
    ['count 0', { devicesUrl: 'https://devices.example.com', count: 0 }, 400, 'validation-failed'],
    ['count 1001', { devicesUrl: 'https://devices.example.com', count: 1001 }, 400, 'validation-failed'],
    ['a fractional count', { devicesUrl: 'https://devices.example.com', count: 2.5 }, 400, 'validation-failed'],
    ['a count as text', { devicesUrl: 'https://devices.example.com', count: '5' }, 400, 'validation-failed'],
    ['no devicesUrl', { count: 5 }, 400, 'validation-failed'],
    ['a foreign devicesUrl', { devicesUrl: 'https://devices.example.com.evil.test', count: 5 }, 403, 'forbidden'],
  ])('refuses %s, appending nothing', async (_label, body, status, code) => {
    const before = await head(r);
    const res = await post(r.app, '/codes/batch', body, bearer(apiKey));
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json()).toMatchObject({ status, code });
    expect(await head(r)).toBe(before);
  });

  it('checks the API key before the body', async () => {
    const before = await head(r);
    for (const body of [{ devicesUrl: 'https://devices.example.com', count: 3 }, '{broken', { count: 'x' }]) {
      const res = await post(r.app, '/codes/batch', body, bearer('nope.nope'));
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthorized' });
    }
    expect(await head(r)).toBe(before);
    expect((await redeem(r, '000000000000', PHONE)).statusCode).toBe(404); // still serving
  });
});
