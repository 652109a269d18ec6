/** Every route of SPEC §4 (and the operator's additions), each success and each refusal, through fastify.inject. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExposition } from '../support/exposition';
import { bearer, DAY, head, issueCode, OTHER_PHONE, PHONE, post, redeem, registerInstallation, START, startRedirector, caughtUp, type Redirector } from './support';

let r: Redirector;
let acme: { installationId: string; apiKey: string };
let other: { installationId: string; apiKey: string };

beforeAll(async () => {
  r = await startRedirector();
  acme = await registerInstallation(r, 'https://devices.example.com', 'ACME');
  other = await registerInstallation(r, 'https://other.example.net/zt', 'Other');
});
afterAll(() => r.close());

const expectProblem = (res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown }, status: number, code: string) => {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(res.json()).toMatchObject({ status, code, type: expect.stringContaining(code), title: expect.any(String), detail: expect.any(String) });
};

describe('POST /installations (operator)', () => {
  it('registers an installation and shows its API key once; only the key hash is stored', async () => {
    const res = await post(r.app, '/installations', { name: '  Beta Corp ', devicesUrl: 'HTTPS://Beta.Example.com:443/' }, r.operator);
    expect(res.statusCode).toBe(201);
    const { installationId, apiKey } = res.json();
    expect(apiKey).toMatch(new RegExp(`^${installationId}\\.[A-Za-z0-9_-]{43}$`));
    const stored = await r.test.server.storage.events.readStream(`installation-${installationId}`);
    expect(stored.events[0]?.data).toMatchObject({ name: 'Beta Corp', devicesUrl: 'https://beta.example.com' });
    expect(JSON.stringify(stored.events)).not.toContain(apiKey.split('.')[1]);
  });

  it('refuses a second installation for the same (normalised) URL with 409 conflict', async () => {
    const before = await head(r);
    const res = await post(r.app, '/installations', { name: 'Copycat', devicesUrl: 'https://DEVICES.example.com/' }, r.operator);
    expectProblem(res, 409, 'conflict');
    expect(await head(r)).toBe(before);
  });

  it('wants the operator token, checked before the body', async () => {
    for (const headers of [{}, bearer('wrong'), bearer(acme.apiKey), { authorization: `Basic ${r.test.config.operatorToken}` }]) {
      for (const body of [{ name: 'X', devicesUrl: 'https://x.example.com' }, '{broken', 'x'.repeat(70_000)]) {
        const res = await post(r.app, '/installations', body, headers);
        expectProblem(res, 401, 'unauthorized');
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    }
  });

  it('answers a bad name or URL with 400', async () => {
    for (const body of [{ name: '', devicesUrl: 'https://x.example.com' }, { name: 'X', devicesUrl: 'ftp://x.example.com' }, { name: 'X', devicesUrl: 'https://x.example.com/?a=1' }]) {
      expectProblem(await post(r.app, '/installations', body, r.operator), 400, 'validation-failed');
    }
  });
});

describe('GET /installations (operator)', () => {
  it('lists the registered installations by id, page by page, without key material', async () => {
    await caughtUp(r);
    const res = await r.app.inject({ method: 'GET', url: '/redirector/v1/installations?limit=2', headers: r.operator });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.installations).toHaveLength(2);
    expect(page.next).toBe(page.installations[1].installationId);
    const rest = (await r.app.inject({ method: 'GET', url: `/redirector/v1/installations?after=${page.next}`, headers: r.operator })).json();
    const all = [...page.installations, ...rest.installations];
    expect(rest.next).toBeNull();
    expect(all.map((i: { devicesUrl: string }) => i.devicesUrl).sort()).toEqual(['https://beta.example.com', 'https://devices.example.com', 'https://other.example.net/zt']);
    expect(all.find((i: { installationId: string }) => i.installationId === acme.installationId)).toEqual({
      installationId: acme.installationId,
      name: 'ACME',
      devicesUrl: 'https://devices.example.com',
      registeredAt: START,
      apiKeyRotatedAt: null,
    });
    expect(JSON.stringify(all)).not.toMatch(/apiKey"/);
  });

  it('refuses a bad limit with 400 and a missing token with 401', async () => {
    expectProblem(await r.app.inject({ method: 'GET', url: '/redirector/v1/installations?limit=0', headers: r.operator }), 400, 'validation-failed');
    expectProblem(await r.app.inject({ method: 'GET', url: '/redirector/v1/installations?limit=abc', headers: r.operator }), 400, 'validation-failed');
    expectProblem(await r.app.inject({ method: 'GET', url: '/redirector/v1/installations' }), 401, 'unauthorized');
  });
});

describe('POST /installations/{id}/api-key (operator)', () => {
  it('rotates the key: the new one works at once, the old one stops at once', async () => {
    const inst = await registerInstallation(r, 'https://rotate.example.com', 'Rotating');
    const res = await post(r.app, `/installations/${inst.installationId}/api-key`, {}, r.operator);
    expect(res.statusCode).toBe(201);
    const { apiKey } = res.json();
    expect(apiKey).not.toBe(inst.apiKey);
    expectProblem(await post(r.app, '/codes', { devicesUrl: 'https://rotate.example.com' }, bearer(inst.apiKey)), 401, 'unauthorized');
    expect((await post(r.app, '/codes', { devicesUrl: 'https://rotate.example.com' }, bearer(apiKey))).statusCode).toBe(201);
  });

  it('answers an unknown installation with 404, a malformed id with 400, no token with 401', async () => {
    const before = await head(r);
    expectProblem(await post(r.app, '/installations/no-such-installation/api-key', {}, r.operator), 404, 'not-found');
    expectProblem(await post(r.app, '/installations/%20bad%20id/api-key', {}, r.operator), 400, 'validation-failed');
    expectProblem(await post(r.app, `/installations/${acme.installationId}/api-key`, {}, {}), 401, 'unauthorized');
    expect(await head(r)).toBe(before);
  });
});

describe('POST /codes (installation)', () => {
  it('issues 12 random digits valid for 7 days; the stream holds only their keyed hash', async () => {
    const res = await post(r.app, '/codes', { devicesUrl: 'https://devices.example.com/tenant-1' }, bearer(acme.apiKey));
    expect(res.statusCode).toBe(201);
    const { code, expiresAt } = res.json();
    expect(code).toMatch(/^\d{12}$/);
    expect(expiresAt).toBe(new Date(Date.parse(START) + 7 * DAY).toISOString());
    const events = (await r.test.server.storage.events.readAll({ limit: 10_000 })).events;
    expect(JSON.stringify(events)).not.toContain(code);
    expect((await redeem(r, code)).json()).toEqual({ devicesUrl: 'https://devices.example.com/tenant-1' });
  });

  it('refuses a devicesUrl outside the registered URL with 403 forbidden', async () => {
    const before = await head(r);
    for (const devicesUrl of ['https://devices.example.com.evil.com', 'https://devices.example.comx', 'https://devices.example.com:8443', 'http://devices.example.com', 'https://other.example.net/zt']) {
      expectProblem(await post(r.app, '/codes', { devicesUrl }, bearer(acme.apiKey)), 403, 'forbidden');
    }
    // a path boundary: /zt allows /zt/a but not /ztx
    expectProblem(await post(r.app, '/codes', { devicesUrl: 'https://other.example.net/ztx' }, bearer(other.apiKey)), 403, 'forbidden');
    expect(await head(r)).toBe(before);
    expect((await post(r.app, '/codes', { devicesUrl: 'https://other.example.net/zt/a' }, bearer(other.apiKey))).statusCode).toBe(201);
  });

  it('wants a valid API key, checked before the body', async () => {
    const forged = `${acme.installationId}.${'A'.repeat(43)}`;
    for (const headers of [{}, bearer('nonsense'), bearer(forged), bearer(r.test.config.operatorToken), bearer(`no-such-installation.${'A'.repeat(43)}`)]) {
      for (const body of [{ devicesUrl: 'https://devices.example.com' }, '{', 'x'.repeat(70_000)]) {
        expectProblem(await post(r.app, '/codes', body, headers), 401, 'unauthorized');
      }
    }
  });
});

describe('DELETE /codes/{code} (installation)', () => {
  const del = (code: string, apiKey: string) => r.app.inject({ method: 'DELETE', url: `/redirector/v1/codes/${code}`, headers: bearer(apiKey) });

  it('revokes a code: it stops working at once and its stream is gone', async () => {
    const { code } = await issueCode(r, acme.apiKey);
    expect((await redeem(r, code, { ...PHONE, mac: '00:90:33:00:00:d1' })).statusCode).toBe(200);
    const res = await del(code.replace(/(\d{4})(?=\d)/g, '$1-'), acme.apiKey);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expectProblem(await redeem(r, code, { ...PHONE, mac: '00:90:33:00:00:d1' }), 404, 'unknown-code');
    expectProblem(await del(code, acme.apiKey), 404, 'unknown-code');
  });

  it("another installation's code and an unknown code are both 404 unknown-code; the code keeps working", async () => {
    const { code } = await issueCode(r, acme.apiKey);
    const before = await head(r);
    const foreign = await del(code, other.apiKey);
    const unknown = await del('000000000000', acme.apiKey);
    expectProblem(foreign, 404, 'unknown-code');
    expectProblem(unknown, 404, 'unknown-code');
    expect(foreign.json().detail).toBe(unknown.json().detail);
    expect(await head(r)).toBe(before);
    expect((await redeem(r, code, { ...PHONE, mac: '00:90:33:00:00:d2' })).statusCode).toBe(200);
  });

  it('answers a malformed code with 400 and a missing key with 401', async () => {
    expectProblem(await del('12345', acme.apiKey), 400, 'validation-failed');
    expectProblem(await del('12345678901a', acme.apiKey), 400, 'validation-failed');
    expectProblem(await r.app.inject({ method: 'DELETE', url: '/redirector/v1/codes/123456789012' }), 401, 'unauthorized');
  });
});

describe('POST /claims and POST /phone/init', () => {
  const init = (mac: string) => post(r.app, '/phone/init', { ...PHONE, mac });

  it('a phone nobody claimed is asked for a code', async () => {
    const res = await init('00:90:33:00:0c:01');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ action: 'prompt-code' });
  });

  it('claimed MACs are redirected to the claiming installation; claiming again changes nothing', async () => {
    const res = await post(r.app, '/claims', { macs: ['00:90:33:00:0C:01', '00-90-33-00-0c-02', '009033000c01'] }, bearer(acme.apiKey));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ claimed: 2 });
    expect((await init('009033000c01')).json()).toEqual({ action: 'redirect', devicesUrl: 'https://devices.example.com' });
    expect((await init('00:90:33:00:0C:02')).json()).toEqual({ action: 'redirect', devicesUrl: 'https://devices.example.com' });
    const before = await head(r);
    expect((await post(r.app, '/claims', { macs: ['009033000c02'] }, bearer(acme.apiKey))).json()).toEqual({ claimed: 1 });
    expect(await head(r)).toBe(before);
  });

  it("a MAC claimed by another installation is 409 naming it, and nothing of the request is claimed", async () => {
    const before = await head(r);
    const res = await post(r.app, '/claims', { macs: ['009033000c03', '009033000c01'] }, bearer(other.apiKey));
    expectProblem(res, 409, 'conflict');
    expect(res.json().macs).toEqual(['009033000c01']);
    expect(res.json().detail).toContain('009033000c01');
    expect(await head(r)).toBe(before);
    expect((await init('009033000c03')).json()).toEqual({ action: 'prompt-code' });
  });

  it('wants an API key; refuses no MACs, bad MACs and more than 1000', async () => {
    expectProblem(await post(r.app, '/claims', { macs: ['009033000c09'] }), 401, 'unauthorized');
    const tooMany = Array.from({ length: 1001 }, (_, i) => `009033${i.toString(16).padStart(6, '0')}`);
    for (const body of [{ macs: [] }, { macs: ['nope'] }, { macs: '009033000c09' }, { macs: tooMany }, {}]) {
      expectProblem(await post(r.app, '/claims', body, bearer(acme.apiKey)), 400, 'validation-failed');
    }
  });
});

describe('POST /phone/redeem', () => {
  it('binds the first MAC; the same MAC again gets the URL without a new event; answers MACs in any notation', async () => {
    const { code } = await issueCode(r, acme.apiKey);
    const first = await redeem(r, code, { ...PHONE, mac: '00:90:33:AA:00:01' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ devicesUrl: 'https://devices.example.com' });
    const before = await head(r);
    const again = await redeem(r, `${code.slice(0, 4)} ${code.slice(4, 8)}-${code.slice(8)}#`, { ...PHONE, mac: '009033aa0001' });
    expect(again.statusCode).toBe(200);
    expect(await head(r)).toBe(before);
  });

  it('unknown, foreign-bound, revoked and expired codes all get the same 404 unknown-code', async () => {
    const bound = await issueCode(r, acme.apiKey);
    expect((await redeem(r, bound.code, { ...PHONE, mac: '009033aa0002' })).statusCode).toBe(200);
    const revoked = await issueCode(r, acme.apiKey);
    await r.app.inject({ method: 'DELETE', url: `/redirector/v1/codes/${revoked.code}`, headers: bearer(acme.apiKey) });
    const expiring = await issueCode(r, acme.apiKey);
    const answers = [await redeem(r, '000000000001', OTHER_PHONE), await redeem(r, bound.code, OTHER_PHONE), await redeem(r, revoked.code, OTHER_PHONE)];
    r.clock.advance(7 * DAY);
    try {
      answers.push(await redeem(r, expiring.code, OTHER_PHONE));
    } finally {
      r.clock.advance(-7 * DAY);
    }
    for (const res of answers) expectProblem(res, 404, 'unknown-code');
    expect(new Set(answers.map((a) => JSON.stringify(a.json())))).toHaveProperty('size', 1);
  });

  it('throttles wrong codes per MAC: 5, then one a minute, 429 with Retry-After whatever the code', async () => {
    const { code } = await issueCode(r, acme.apiKey);
    const guesser = { ...PHONE, mac: '00:90:33:bb:00:01' };
    for (let i = 0; i < 5; i++) expect((await redeem(r, `55555555555${i}`, guesser, '198.51.100.1')).statusCode).toBe(404);
    const before = await head(r);
    const throttled = await redeem(r, code, guesser, '198.51.100.2');
    expectProblem(throttled, 429, 'rate-limited');
    expect(throttled.headers['retry-after']).toBe('60');
    expect(await head(r)).toBe(before);
    // malformed codes do not count and are answered as such
    expectProblem(await redeem(r, '1234', { ...PHONE, mac: '00:90:33:bb:00:02' }, '198.51.100.1'), 400, 'validation-failed');
    r.clock.advance(60_000);
    expect((await redeem(r, code, guesser, '198.51.100.2')).statusCode).toBe(200);
  });

  it('throttles wrong codes per source IP: 100, then one a second; another client with a correct code is not blocked', async () => {
    const valid = await issueCode(r, acme.apiKey);
    const ip = '203.0.113.7';
    for (let i = 0; i < 100; i++) {
      const res = await redeem(r, `7777${String(i).padStart(8, '0')}`, { ...PHONE, mac: `00:90:33:cc:00:${i.toString(16).padStart(2, '0')}` }, ip);
      expect(res.statusCode).toBe(404);
    }
    const throttled = await redeem(r, valid.code, { ...PHONE, mac: '00:90:33:cc:01:00' }, ip);
    expectProblem(throttled, 429, 'rate-limited');
    expect(throttled.headers['retry-after']).toBe('1');
    const elsewhere = await redeem(r, valid.code, { ...PHONE, mac: '00:90:33:cc:01:00' }, '203.0.113.8');
    expect(elsewhere.statusCode).toBe(200);
    r.clock.advance(1_000);
    expectProblem(await redeem(r, '888888888888', { ...PHONE, mac: '00:90:33:cc:01:01' }, ip), 404, 'unknown-code');
    expectProblem(await redeem(r, valid.code, { ...PHONE, mac: '00:90:33:cc:01:00' }, ip), 429, 'rate-limited');
  });
});

describe('GET /metrics after a known sequence', () => {
  it('counts exactly the codes issued, redeemed, refused, rate-limited and purged, and the requests by status', async () => {
    const fresh = await startRedirector();
    try {
      const { apiKey } = await registerInstallation(fresh);
      const [one, two, three] = [await issueCode(fresh, apiKey), await issueCode(fresh, apiKey), await issueCode(fresh, apiKey)];
      const batch = await post(fresh.app, '/codes/batch', { devicesUrl: 'https://devices.example.com', count: 4 }, bearer(apiKey));
      expect(batch.statusCode).toBe(201);
      const statuses: number[] = [];
      const send = async (code: string, phone: object) => statuses.push((await redeem(fresh, code, phone)).statusCode);
      await send(one!.code, PHONE); // first
      await send(one!.code, PHONE); // repeat
      await send(two!.code, OTHER_PHONE); // first
      await send(one!.code, OTHER_PHONE); // bound to another MAC: refused
      const guesser = { ...PHONE, mac: '00:90:33:dd:00:01' };
      for (let i = 0; i < 5; i++) await send(`5555${String(i).padStart(8, '0')}`, guesser); // refused, the MAC's 5 wrong codes
      await send('555500000005', guesser); // throttled
      await send(three!.code, guesser); // throttled whatever the code
      expect(statuses).toEqual([200, 200, 200, 404, 404, 404, 404, 404, 404, 429, 429]);
      await caughtUp(fresh);
      expect((await fresh.app.inject({ method: 'DELETE', url: `/redirector/v1/codes/${three!.code}`, headers: bearer(apiKey) })).statusCode).toBe(204);

      const exposition = parseExposition((await fresh.app.inject('/metrics')).body);
      expect(exposition.value('zt_redirector_codes_issued_total')).toBe(7);
      expect(exposition.value('zt_redirector_codes_redeemed_total', { redeem: 'first' })).toBe(2);
      expect(exposition.value('zt_redirector_codes_redeemed_total', { redeem: 'repeat' })).toBe(1);
      expect(exposition.value('zt_redirector_codes_refused_total')).toBe(6);
      expect(exposition.value('zt_redirector_codes_rate_limited_total')).toBe(2);
      expect(exposition.value('zt_redirector_codes_purged_total', { reason: 'revoked' })).toBe(1);
      expect(exposition.value('zt_redirector_codes_purged_total', { reason: 'expired' })).toBe(0);
      const redeems = exposition.samples('zt_http_request_duration_seconds_count').filter((s) => s.labels['route'] === '/redirector/v1/phone/redeem');
      expect(redeems.map((s) => [s.labels['method'], s.labels['status'], s.value])).toEqual([
        ['POST', '200', 3],
        ['POST', '404', 6],
        ['POST', '429', 2],
      ]);
    } finally {
      await fresh.close();
    }
  });
});
