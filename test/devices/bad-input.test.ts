/**
 * Bad input on every Devices route and message: each is answered clearly (an RFC 9457
 * problem with a stable code, or an error result on the WebSocket), nothing is appended,
 * nothing stored is lost, and the process keeps answering. Bodies too large, too deep or
 * of another media type, and hostile messages, are test/e2e/hostile-input.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSocket } from '../support/ws-client';
import { DOMAIN, FIRMWARE, World, type Credential } from './support';

type Method = 'GET' | 'POST' | 'DELETE' | 'PATCH';
interface Case {
  readonly method: Method;
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly code: string;
  /** part of the detail */
  readonly says?: string;
}

describe('Devices: bad input, answered clearly, nothing appended', () => {
  let world: World;
  let users: TestSocket;
  let phone: Credential;
  let jobId: string;

  beforeAll(async () => {
    world = await World.start();
    await world.setUpDomain();
    users = await world.users();
    ({ credential: phone } = await world.newPhone(users, 1));
    jobId = (await world.adminOk('POST', '/update-jobs', { domain: DOMAIN, category: 'office', firmware: FIRMWARE })).json().jobId;
    await world.checkIn(phone, 'v0');
  });
  afterAll(async () => {
    users.close();
    await world.close();
  });

  const expectProblem = (res: { statusCode: number; headers: Record<string, unknown>; json: () => any }, c: Case): void => {
    const label = `${c.method} ${c.path} ${JSON.stringify(c.body)?.slice(0, 80)}`;
    expect(res.statusCode, label).toBe(c.status);
    expect(String(res.headers['content-type']), label).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem, label).toMatchObject({ status: c.status, code: c.code, title: expect.any(String), type: expect.stringContaining(c.code) });
    expect(problem.detail.length, label).toBeGreaterThan(5);
    if (c.says) expect(problem.detail, label).toContain(c.says);
  };

  const run = async (cases: readonly Case[], prefix: string, auth: Record<string, string>): Promise<void> => {
    const head = await world.head();
    for (const c of cases) {
      const res = await world.devices.server.app.inject({
        method: c.method,
        url: `${prefix}${c.path}`,
        headers: { ...auth, ...(c.body === undefined ? {} : { 'content-type': 'application/json' }), ...c.headers },
        ...(c.body === undefined ? {} : { payload: typeof c.body === 'string' ? c.body : JSON.stringify(c.body) }),
      });
      expectProblem(res, c);
    }
    expect(await world.head()).toBe(head);
  };

  const device = () => ({ authorization: `Device ${phone.deviceId}:${phone.deviceSecret}` });
  const good = { code: '123412341234', mac: '00:90:33:00:00:99', model: 'IP112', firmware: '13r1', bootcode: '13r1', localIp: '192.0.2.1' };

  it('phone/provision', async () => {
    await run(
      [
        { method: 'POST', path: '/provision', body: {}, status: 400, code: 'validation-failed', says: 'body.mac' },
        { method: 'POST', path: '/provision', body: '{"code":', status: 400, code: 'validation-failed' },
        { method: 'POST', path: '/provision', body: [good], status: 400, code: 'validation-failed' },
        { method: 'POST', path: '/provision', body: { ...good, code: '1234-5678' }, status: 400, code: 'validation-failed', says: '12 digits' },
        { method: 'POST', path: '/provision', body: { ...good, code: 123412341234 }, status: 400, code: 'validation-failed', says: 'body.code' },
        { method: 'POST', path: '/provision', body: { ...good, mac: '00:90:33:zz:00:01' }, status: 400, code: 'validation-failed', says: 'MAC' },
        { method: 'POST', path: '/provision', body: { ...good, mac: 'ff:ff:ff:ff:ff:ff' }, status: 400, code: 'validation-failed' },
        { method: 'POST', path: '/provision', body: { ...good, model: 'IP 112' }, status: 400, code: 'validation-failed', says: 'model' },
        { method: 'POST', path: '/provision', body: { ...good, firmware: 'x'.repeat(65) }, status: 400, code: 'validation-failed', says: 'version' },
        { method: 'POST', path: '/provision', body: { ...good, localIp: '999.1.1.1' }, status: 400, code: 'validation-failed', says: 'IP' },
        { method: 'POST', path: '/provision', body: good, status: 404, code: 'unknown-code' },
      ],
      '/devices/v1/phone',
      {},
    );
  });

  it('phone/checkin and phone/report: the credential first, whatever the body; then the body', async () => {
    const checkin = { firmware: '13r1', bootcode: '13r1', configRevision: null };
    const headerSets: Record<string, string>[] = [
      {},
      { authorization: 'Device' },
      { authorization: `Device ${phone.deviceSecret}` },
      { authorization: `Device ${phone.deviceId}:short` },
      { authorization: `Device ${phone.deviceId}:${'A'.repeat(43)}` },
      { authorization: `Device 009033000098:${phone.deviceSecret}` },
      { authorization: `Bearer ${world.adminToken}` },
      { authorization: `Device ${phone.deviceId}:${phone.deviceSecret} extra` },
    ];
    const unauthorized: Case[] = headerSets.flatMap((headers) => [
      { method: 'POST', path: '/checkin', body: checkin, headers, status: 401, code: 'unauthorized' } as const,
      { method: 'POST', path: '/checkin', body: '{broken', headers, status: 401, code: 'unauthorized' } as const,
      { method: 'POST', path: '/report', body: { kind: 'nonsense' }, headers, status: 401, code: 'unauthorized' } as const,
    ]);
    await run(unauthorized, '/devices/v1/phone', {});
    await run(
      [
        { method: 'POST', path: '/checkin', body: {}, status: 400, code: 'validation-failed', says: 'body.firmware' },
        { method: 'POST', path: '/checkin', body: { ...checkin, firmware: 13 }, status: 400, code: 'validation-failed' },
        { method: 'POST', path: '/checkin', body: { ...checkin, configRevision: 'not a revision!' }, status: 400, code: 'validation-failed', says: 'revision' },
        { method: 'POST', path: '/report', body: { kind: 'sideways', jobId, outcome: 'applied' }, status: 400, code: 'validation-failed' },
        { method: 'POST', path: '/report', body: { kind: 'firmware', outcome: 'applied' }, status: 400, code: 'validation-failed', says: 'jobId' },
        { method: 'POST', path: '/report', body: { kind: 'firmware', jobId, outcome: 'maybe' }, status: 400, code: 'validation-failed' },
        { method: 'POST', path: '/report', body: { kind: 'firmware', jobId: ' ', outcome: 'applied' }, status: 400, code: 'validation-failed' },
        { method: 'POST', path: '/report', body: { kind: 'firmware', jobId, outcome: 'failed', detail: 42 }, status: 400, code: 'validation-failed' },
        { method: 'POST', path: '/report', body: { kind: 'config', revision: 'abc', outcome: 'applied' }, status: 409, code: 'conflict' },
        { method: 'POST', path: '/report', body: { kind: 'firmware', jobId: 'no-such-job', outcome: 'applied' }, status: 409, code: 'conflict' },
      ],
      '/devices/v1/phone',
      device(),
    );
  });

  const adminRoutes: ReadonlyArray<readonly [Method, string]> = [
    ['POST', '/domains'],
    ['POST', `/domains/${DOMAIN}/categories`],
    ['GET', `/domains/${DOMAIN}/categories`],
    ['PATCH', `/domains/${DOMAIN}/categories/office`],
    ['POST', '/update-jobs'],
    ['GET', '/update-jobs'],
    ['DELETE', '/update-jobs/x'],
    ['POST', '/update-jobs/x/advance'],
    ['POST', '/config-jobs'],
    ['GET', '/config-jobs'],
    ['DELETE', '/config-jobs/x'],
    ['GET', '/devices'],
    ['GET', '/devices/009033000001'],
    ['POST', '/devices/009033000001/release'],
    ['POST', '/devices/009033000001/approve'],
    ['POST', '/claims'],
    ['GET', '/outbox'],
  ];

  it('admin: no token or a wrong one is 401 on every route, whatever the body', async () => {
    const cases = adminRoutes.flatMap(([method, path]) =>
      ([{}, { authorization: 'Bearer wrong' }, { authorization: `Device ${phone.deviceId}:${phone.deviceSecret}` }] as Record<string, string>[]).map(
        (headers): Case => ({ method, path, headers, ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{not json' }), status: 401, code: 'unauthorized' }),
      ),
    );
    await run(cases, '/devices/v1/admin', {});
  });

  it('admin: bad bodies, parameters and queries on every route', async () => {
    const sha = 'c'.repeat(64);
    const job = { domain: DOMAIN, category: 'office', firmware: FIRMWARE };
    await run(
      [
        { method: 'POST', path: '/domains', body: {}, status: 400, code: 'validation-failed', says: 'body.name' },
        { method: 'POST', path: '/domains', body: { name: 'not a domain!', appPassword: 'long enough' }, status: 400, code: 'validation-failed', says: 'domain' },
        { method: 'POST', path: '/domains', body: { name: 'fresh.example', appPassword: 'short' }, status: 400, code: 'validation-failed', says: 'app password' },
        { method: 'POST', path: '/domains', body: { name: DOMAIN, appPassword: 'long enough' }, status: 409, code: 'conflict' },
        { method: 'POST', path: '/domains/bad_domain!/categories', body: { id: 'x', name: 'X', provisioning: true }, status: 400, code: 'validation-failed' },
        { method: 'POST', path: `/domains/${DOMAIN}/categories`, body: { id: 'Bad Id!', name: 'X', provisioning: true }, status: 400, code: 'validation-failed' },
        { method: 'POST', path: `/domains/${DOMAIN}/categories`, body: { id: 'x', name: '', provisioning: true }, status: 400, code: 'validation-failed' },
        { method: 'POST', path: `/domains/${DOMAIN}/categories`, body: { id: 'x', name: 'X', provisioning: 'yes' }, status: 400, code: 'validation-failed' },
        { method: 'POST', path: `/domains/${DOMAIN}/categories`, body: { id: 'office', name: 'Again', provisioning: true }, status: 409, code: 'conflict' },
        { method: 'POST', path: '/domains/nowhere.example/categories', body: { id: 'x', name: 'X', provisioning: true }, status: 404, code: 'not-found' },
        { method: 'GET', path: '/domains/nowhere.example/categories', status: 404, code: 'not-found' },
        { method: 'GET', path: '/domains/-bad-/categories', status: 400, code: 'validation-failed' },
        { method: 'PATCH', path: `/domains/${DOMAIN}/categories/office`, body: { provisioning: 1 }, status: 400, code: 'validation-failed' },
        { method: 'PATCH', path: `/domains/${DOMAIN}/categories/attic`, body: { provisioning: true }, status: 404, code: 'not-found' },
        { method: 'POST', path: '/update-jobs', body: { domain: DOMAIN, category: 'office' }, status: 400, code: 'validation-failed', says: 'firmware' },
        { method: 'POST', path: '/update-jobs', body: { ...job, firmware: { ...FIRMWARE, files: {} } }, status: 400, code: 'validation-failed', says: 'at least one file' },
        { method: 'POST', path: '/update-jobs', body: { ...job, firmware: { ...FIRMWARE, files: { IP112: { url: 'ftp://x', sha256: sha } } } }, status: 400, code: 'validation-failed', says: 'URL' },
        { method: 'POST', path: '/update-jobs', body: { ...job, firmware: { ...FIRMWARE, files: { IP112: { url: 'https://x.example/f', sha256: 'abc' } } } }, status: 400, code: 'validation-failed', says: 'SHA-256' },
        { method: 'POST', path: '/update-jobs', body: { ...job, waves: [10, 5, 100] }, status: 400, code: 'validation-failed', says: 'increase' },
        { method: 'POST', path: '/update-jobs', body: { ...job, waves: [50] }, status: 400, code: 'validation-failed', says: '100' },
        { method: 'POST', path: '/update-jobs', body: { ...job, waves: ['all'] }, status: 400, code: 'validation-failed' },
        { method: 'POST', path: '/update-jobs', body: { ...job, failureThreshold: 2 }, status: 400, code: 'validation-failed', says: 'threshold' },
        { method: 'POST', path: '/update-jobs', body: { ...job, category: 'attic' }, status: 404, code: 'not-found' },
        { method: 'POST', path: '/update-jobs', body: { ...job, domain: 'nowhere.example' }, status: 404, code: 'not-found' },
        { method: 'GET', path: '/update-jobs?limit=0', status: 400, code: 'validation-failed', says: 'limit' },
        { method: 'GET', path: '/update-jobs?limit=abc', status: 400, code: 'validation-failed' },
        { method: 'GET', path: '/update-jobs?category=office', status: 400, code: 'validation-failed', says: 'domain' },
        { method: 'GET', path: `/update-jobs?domain=${DOMAIN}&cursor=all/1`, status: 400, code: 'validation-failed', says: 'cursor' },
        { method: 'DELETE', path: '/update-jobs/%20', status: 400, code: 'validation-failed' },
        { method: 'DELETE', path: '/update-jobs/no-such-job', status: 404, code: 'not-found' },
        { method: 'POST', path: '/update-jobs/no-such-job/advance', status: 404, code: 'not-found' },
        { method: 'POST', path: '/config-jobs', body: { domain: DOMAIN, category: 'office', type: 'SIP!', params: {} }, status: 400, code: 'validation-failed', says: 'type' },
        { method: 'POST', path: '/config-jobs', body: { domain: DOMAIN, category: 'office', type: 'sip', params: [1] }, status: 400, code: 'validation-failed', says: 'params' },
        { method: 'POST', path: '/config-jobs', body: { domain: DOMAIN, category: 'office', type: 'sip', params: { x: 'y'.repeat(20_000) } }, status: 400, code: 'validation-failed', says: '16384' },
        { method: 'POST', path: '/config-jobs', body: { domain: DOMAIN, category: 'attic', type: 'sip', params: {} }, status: 404, code: 'not-found' },
        { method: 'GET', path: '/config-jobs?domain=bad!', status: 400, code: 'validation-failed' },
        { method: 'DELETE', path: '/config-jobs/no-such-job', status: 404, code: 'not-found' },
        { method: 'GET', path: '/devices?state=sleeping', status: 400, code: 'validation-failed' },
        { method: 'GET', path: '/devices?category=office', status: 400, code: 'validation-failed', says: 'domain' },
        { method: 'GET', path: '/devices?limit=100000', status: 400, code: 'validation-failed' },
        { method: 'GET', path: '/devices/not-a-mac', status: 400, code: 'validation-failed', says: 'MAC' },
        { method: 'GET', path: '/devices/009033000042', status: 404, code: 'not-found' },
        { method: 'POST', path: '/devices/009033000042/release', status: 404, code: 'not-found' },
        { method: 'POST', path: '/devices/not-a-mac/release', status: 400, code: 'validation-failed' },
        { method: 'POST', path: '/devices/009033000042/approve', status: 404, code: 'not-found' },
        { method: 'POST', path: '/claims', body: { macs: [], domain: DOMAIN, category: 'office' }, status: 400, code: 'validation-failed', says: '1 to 1000' },
        { method: 'POST', path: '/claims', body: { macs: ['nope'], domain: DOMAIN, category: 'office' }, status: 400, code: 'validation-failed' },
        { method: 'POST', path: '/claims', body: { macs: Array.from({ length: 1001 }, (_, i) => `0090330${String(i).padStart(5, '0')}`), domain: DOMAIN, category: 'office' }, status: 400, code: 'validation-failed' },
        { method: 'POST', path: '/claims', body: { macs: ['009033000077'], domain: 'nowhere.example', category: 'office' }, status: 404, code: 'not-found' },
        { method: 'POST', path: '/claims', body: { macs: ['009033000077'], domain: DOMAIN, category: 'attic' }, status: 404, code: 'not-found' },
        { method: 'GET', path: '/outbox?domain=bad domain', status: 400, code: 'validation-failed' },
        { method: 'GET', path: '/outbox?limit=-1', status: 400, code: 'validation-failed' },
      ],
      '/devices/v1/admin',
      { authorization: `Bearer ${world.adminToken}` },
    );
  });

  it('apps WebSocket: malformed and unknown messages get an error result; the connection stays up', async () => {
    const head = await world.head();
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      ['{not json', 'Error'],
      [[1, 2], 'Error'],
      [{ src: 'x' }, 'Error'],
      [{ mt: 'Nope', src: 1 }, 'NopeResult'],
      [{ mt: 'GetProvisioningCode', src: 2 }, 'GetProvisioningCodeResult'],
      [{ mt: 'GetProvisioningCode', category: 5, src: 3 }, 'GetProvisioningCodeResult'],
      [{ mt: 'GetProvisioningCode', category: 'Bad Category!', src: 4 }, 'GetProvisioningCodeResult'],
      [{ mt: 'PhoneProvisionedAck', src: 5 }, 'PhoneProvisionedAckResult'],
      [{ mt: 'PhoneProvisionedAck', id: 7, src: 6 }, 'PhoneProvisionedAckResult'],
      [{ mt: 'PhoneProvisionedAck', id: '', src: 7 }, 'PhoneProvisionedAckResult'],
      [{ mt: 'Login', app: 'admin', domain: DOMAIN, digest: 'x', src: 8 }, 'LoginResult'],
      [{ mt: 'PhoneProvisioned', id: 'x', src: 9 }, 'PhoneProvisionedResult'],
      [{ mt: 'GetCategories', src: 10, padding: 'x'.repeat(70_000) }, 'Error'],
    ];
    for (const [message, resultType] of cases) {
      users.send(message);
      const answer = await users.next((m) => m['mt'] === resultType);
      expect(answer, JSON.stringify(message).slice(0, 80)).toMatchObject({ error: { code: expect.stringMatching(/^(validation-failed|payload-too-large|conflict)$/), detail: expect.any(String) } });
    }
    expect(await users.request({ mt: 'PhoneProvisionedAck', id: 'no-such-notice' })).toMatchObject({ error: { code: 'not-found' } });
    expect(await world.head()).toBe(head);
    expect(await users.request({ mt: 'GetCategories' })).toMatchObject({ categories: [{ id: 'office', name: 'Office' }] });
  });

  it('after all of it the process still answers, and what was stored is intact', async () => {
    expect((await fetch(`${world.devices.url}/healthz`)).status).toBe(200);
    expect((await world.checkIn(phone, 'v0')).body.firmware.jobId).toBe(jobId);
    expect((await world.adminOk('GET', `/domains/${DOMAIN}/categories`)).json()).toEqual([
      { id: 'office', name: 'Office', provisioning: true },
      { id: 'lab', name: 'Lab', provisioning: false },
    ]);
  });
});
