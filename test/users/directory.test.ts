/**
 * The user directory over the admin HTTP API: users, CSV import, tokens, phone apps,
 * a user's phones; and Users running without a Devices app password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, bearer, createUser, head, importCsv, profile, startUsers, userToken, type UsersServer } from './support';
import { parseExposition } from '../support/exposition';
import { TestSocket } from '../support/ws-client';

let u: UsersServer;

beforeAll(async () => {
  u = await startUsers();
});
afterAll(() => u.close());

describe('users', () => {
  it('are created, listed by id and refused twice', async () => {
    const created = await admin(u, 'POST', '/users', { id: 'alice', name: 'Alice Ångström', email: 'alice@example.com' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ id: 'alice', name: 'Alice Ångström', email: 'alice@example.com' });
    expect((await admin(u, 'POST', '/users', { id: 'bob', name: '  Bob  ' })).json()).toEqual({ id: 'bob', name: 'Bob', email: null });
    const again = await admin(u, 'POST', '/users', { id: 'alice', name: 'Another Alice' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'conflict', detail: expect.stringContaining('exists') });
    const list = await admin(u, 'GET', '/users');
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual(
      expect.arrayContaining([
        { id: 'alice', name: 'Alice Ångström', email: 'alice@example.com' },
        { id: 'bob', name: 'Bob', email: null },
      ]),
    );
  });

  it('are listed in pages', async () => {
    for (const id of ['page-1', 'page-2', 'page-3']) await createUser(u, id);
    const first = (await admin(u, 'GET', '/users?limit=2&after=page-')).json() as Array<{ id: string }>;
    expect(first.map((x) => x.id)).toEqual(['page-1', 'page-2']);
    const next = (await admin(u, 'GET', '/users?limit=2&after=page-2')).json() as Array<{ id: string }>;
    expect(next.map((x) => x.id)[0]).toBe('page-3');
  });

  it('have no phones until one comes up; an unknown user is not-found', async () => {
    expect((await admin(u, 'GET', '/users/alice/devices')).json()).toEqual([]);
    const missing = await admin(u, 'GET', '/users/nobody/devices');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'not-found' });
  });
});

describe('user tokens', () => {
  it('are shown once, work for Profile at once, and are stored only hashed', async () => {
    const res = await admin(u, 'POST', '/users/alice/tokens');
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const { token } = res.json() as { token: string };
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const ws = await profile(u, token);
    expect(await ws.request({ mt: 'GetPhones' })).toMatchObject({ codes: [], devices: [] });
    ws.close();
    const raw = JSON.stringify((await u.test.server.storage.events.readStream('user-alice')).events);
    expect(raw).not.toContain(token);
    expect(raw).toContain('UserTokenIssued');
  });

  it('a second token works beside the first; an unknown user gets none', async () => {
    const first = await userToken(u, 'bob');
    const second = await userToken(u, 'bob');
    expect(first).not.toBe(second);
    for (const token of [first, second]) (await profile(u, token)).close();
    const missing = await admin(u, 'POST', '/users/nobody/tokens');
    expect(missing.statusCode).toBe(404);
  });

  it('a wrong token is answered ok:false and the session closes', async () => {
    const ws = await TestSocket.connect(`${u.test.wsUrl}/users/v1/profile`);
    expect(await ws.request({ mt: 'Login', token: 'not-a-token' })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect((await ws.waitClosed()).code).toBe(4003);
  });
});

describe('phone apps', () => {
  it('are created, listed and refused twice', async () => {
    expect((await admin(u, 'POST', '/phone-apps', { id: 'phone', name: 'Phone' })).statusCode).toBe(201);
    expect((await admin(u, 'POST', '/phone-apps', { id: 'softphone', name: 'Softphone' })).statusCode).toBe(201);
    expect((await admin(u, 'POST', '/phone-apps', { id: 'phone', name: 'Again' })).statusCode).toBe(409);
    expect((await admin(u, 'GET', '/phone-apps')).json()).toEqual([
      { id: 'phone', name: 'Phone' },
      { id: 'softphone', name: 'Softphone' },
    ]);
  });
});

describe('CSV import', () => {
  it('imports good lines, reports bad ones by line number, skips users that exist', async () => {
    const csv = [
      'id,name,email',
      'carol,"Carol, the Second",carol@example.com',
      'dave,"Dave ""the Rave"" Ó Súilleabháin",',
      'eve,Eve',
      ',No Id,none@example.com',
      'frank,Frank,not-an-email',
      'grace,"Grace',
      'Hopper",grace@example.com',
      'heidi',
      'ivan,Ivan,ivan@example.com,extra',
      'ju"dy,Judy',
      '',
      'alice,Alice Again,',
      'mallory,"Mallory"x,',
      'trent,Trent Ünïcødé,trent@example.com',
    ].join('\r\n');
    const before = await head(u);
    const res = await importCsv(u, csv);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      created: 4,
      skipped: 1,
      errors: [
        { line: 5, detail: expect.stringContaining('user id') },
        { line: 6, detail: expect.stringContaining('e-mail') },
        { line: 7, detail: expect.stringContaining('control characters') },
        { line: 9, detail: 'expected 2 or 3 fields (id,name,email), got 1' },
        { line: 10, detail: 'expected 2 or 3 fields (id,name,email), got 4' },
        { line: 11, detail: expect.stringContaining('quote') },
        { line: 14, detail: expect.stringContaining('closing quote') },
      ],
    });
    expect(await head(u)).toBe(before + 4);
    const users = new Map((await admin(u, 'GET', '/users')).json().map((x: { id: string }) => [x.id, x]));
    expect(users.get('carol')).toEqual({ id: 'carol', name: 'Carol, the Second', email: 'carol@example.com' });
    expect(users.get('dave')).toEqual({ id: 'dave', name: 'Dave "the Rave" Ó Súilleabháin', email: null });
    expect(users.get('eve')).toEqual({ id: 'eve', name: 'Eve', email: null });
    expect(users.has('grace')).toBe(false);
    expect(users.get('trent')).toMatchObject({ name: 'Trent Ünïcødé' });
    expect(users.get('alice')).toMatchObject({ name: 'Alice Ångström' });
  });

  it('takes a file without a header, with LF line ends and a byte order mark', async () => {
    const res = await importCsv(u, Buffer.from('\ufeffoscar,Oscar\npeggy,Peggy,peggy@example.com\n', 'utf8'));
    expect(res.json()).toEqual({ created: 2, skipped: 0, errors: [] });
    const again = await importCsv(u, 'oscar,Oscar\npeggy,Peggy\n', 'text/plain');
    expect(again.json()).toEqual({ created: 0, skipped: 2, errors: [] });
  });
});

describe('without a Devices app password', () => {
  it('serves the directory, and /readyz and the apps say Users is not connected to Devices and why', async () => {
    const ready = await u.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks['users-devices']).toEqual({ ok: true, detail: expect.stringContaining('ZT_USERS_APP_PASSWORD is not set') });
    const ws = await TestSocket.connect(`${u.test.wsUrl}/users/v1/admin`);
    const login = await ws.request({ mt: 'Login', token: u.adminToken });
    expect(login).toMatchObject({ ok: true, devices: { connected: false, detail: expect.stringContaining('ZT_USERS_APP_PASSWORD') } });
    expect(await ws.request({ mt: 'GetCategories' })).toMatchObject({
      error: { code: 'unavailable', detail: expect.stringContaining('not connected to Devices') },
    });
    ws.close();
    expect(parseExposition((await u.app.inject('/metrics')).body).value('zt_users_devices_connected')).toBe(0);
  });

  it('documents every route by its full path', async () => {
    const doc = (await u.app.inject('/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/users/v1/admin/users',
        '/users/v1/admin/users/import',
        '/users/v1/admin/users/{id}/tokens',
        '/users/v1/admin/users/{id}/devices',
        '/users/v1/admin/phone-apps',
        '/users/v1/admin/rollouts/{id}.csv',
        '/users/v1/admin/unassigned-phones',
        '/users/v1/admin/unassigned-phones/{mac}/assign',
      ]),
    );
  });

  it('the admin token is needed for every route', async () => {
    const paths: Array<['GET' | 'POST', string]> = [
      ['GET', '/users'],
      ['POST', '/users'],
      ['POST', '/users/import'],
      ['POST', '/users/alice/tokens'],
      ['GET', '/users/alice/devices'],
      ['POST', '/phone-apps'],
      ['GET', '/phone-apps'],
      ['GET', '/rollouts/r1.csv'],
      ['GET', '/unassigned-phones'],
      ['POST', '/unassigned-phones/009033aabbcc/assign'],
    ];
    const userTokenValue = await userToken(u, 'alice');
    for (const [method, path] of paths) {
      for (const headers of [{}, bearer('wrong'), bearer(userTokenValue), { authorization: u.adminToken }]) {
        const res = await admin(u, method, path, method === 'POST' ? { id: 'x' } : undefined, headers);
        expect(res.statusCode, `${method} ${path}`).toBe(401);
        expect(res.json()).toMatchObject({ code: 'unauthorized' });
      }
    }
  });
});
