/**
 * What the Devices admin web app needs beyond SPEC §5.3: the list of domains
 * (`GET /domains`) and the phones of an update job (`GET /update-jobs/{id}/phones`).
 * Their answers, their paging, and bad input: a clear problem, nothing appended.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSocket } from '../support/ws-client';
import { APP_PASSWORD, DOMAIN, FIRMWARE, World, type Credential } from './support';

describe('Devices admin: the list of domains and the phones of an update job', () => {
  let world: World;
  let users: TestSocket;
  let phone: Credential;
  let mac: string;
  let jobId: string;

  beforeAll(async () => {
    world = await World.start();
    await world.setUpDomain();
    await world.adminOk('POST', '/domains', { name: 'branch.example.com', appPassword: APP_PASSWORD });
    users = await world.users();
    ({ credential: phone, mac } = await world.newPhone(users, 1));
    jobId = (await world.adminOk('POST', '/update-jobs', { domain: DOMAIN, category: 'office', firmware: FIRMWARE })).json().jobId;
    await world.caughtUp();
  });
  afterAll(async () => {
    users.close();
    await world.close();
  });

  it('lists every domain by name, page by page', async () => {
    const all = (await world.adminOk('GET', '/domains')).json();
    expect(all).toEqual([
      { name: 'branch.example.com', createdAt: expect.any(String) },
      { name: DOMAIN, createdAt: expect.any(String) },
    ]);
    const first = await world.adminOk('GET', '/domains?limit=1');
    expect(first.json()).toEqual([all[0]]);
    const cursor = String(first.headers['x-next-cursor']);
    const second = await world.adminOk('GET', `/domains?limit=1&cursor=${encodeURIComponent(cursor)}`);
    expect(second.json()).toEqual([all[1]]);
  });

  it('lists the phones an update job was offered to, with their wave and outcome', async () => {
    expect((await world.adminOk('GET', `/update-jobs/${jobId}/phones`)).json()).toEqual([]);
    const checkin = await world.checkIn(phone, 'v0');
    expect(checkin.body.firmware).toMatchObject({ jobId });
    await world.caughtUp();
    expect((await world.adminOk('GET', `/update-jobs/${jobId}/phones`)).json()).toEqual([{ mac, wave: 0, outcome: 'offered' }]);
    const report = await world.phone('report', { kind: 'firmware', jobId, outcome: 'applied' }, phone);
    expect(report.status).toBe(204);
    await world.caughtUp();
    expect((await world.adminOk('GET', `/update-jobs/${jobId}/phones`)).json()).toEqual([{ mac, wave: 0, outcome: 'applied' }]);
  });

  it('answers bad input with a clear problem and appends nothing', async () => {
    const head = await world.head();
    const cases: ReadonlyArray<{ path: string; token?: string; status: number; code: string; says: string }> = [
      { path: '/domains', token: 'wrong', status: 401, code: 'unauthorized', says: 'Bearer' },
      { path: '/domains?limit=0', status: 400, code: 'validation-failed', says: 'limit' },
      { path: '/domains?limit=many', status: 400, code: 'validation-failed', says: 'limit' },
      { path: '/domains?limit=1001', status: 400, code: 'validation-failed', says: 'limit' },
      { path: `/update-jobs/${jobId}/phones`, token: '', status: 401, code: 'unauthorized', says: 'Bearer' },
      { path: '/update-jobs/no-such-job/phones', status: 404, code: 'not-found', says: 'no-such-job' },
      { path: '/update-jobs/%20bad/phones', status: 400, code: 'validation-failed', says: 'id' },
      { path: `/update-jobs/${jobId}/phones?limit=-1`, status: 400, code: 'validation-failed', says: 'limit' },
      { path: `/update-jobs/${jobId}/phones?cursor=other-job/x`, status: 400, code: 'validation-failed', says: 'cursor' },
    ];
    for (const c of cases) {
      const res = await world.devices.server.app.inject({
        method: 'GET',
        url: `/devices/v1/admin${c.path}`,
        headers: c.token === undefined ? { authorization: `Bearer ${world.adminToken}` } : c.token === '' ? {} : { authorization: `Bearer ${c.token}` },
      });
      expect(res.statusCode, c.path).toBe(c.status);
      expect(String(res.headers['content-type']), c.path).toMatch(/^application\/problem\+json/);
      expect(res.json(), c.path).toMatchObject({ status: c.status, code: c.code });
      expect(res.json().detail, c.path).toContain(c.says);
    }
    expect(await world.head()).toBe(head);
    expect((await world.adminOk('GET', '/domains')).json()).toHaveLength(2);
  });
});
