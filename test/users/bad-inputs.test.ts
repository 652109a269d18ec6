/**
 * Bad input on every Users route and message: each is answered with a clear problem
 * (HTTP) or error result (WebSocket), the server keeps running, no event is appended and
 * nothing stored is lost. Bodies that are no JSON object, too large, too deep or of
 * another media type, and hostile messages on both WebSockets, are
 * test/e2e/hostile-input.test.ts, for every route and message of every part.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/application/ports/event-store';
import { TestSocket } from '../support/ws-client';
import { admin, allEvents, createPhoneApp, createUser, head, importCsv, profile, startUsers, userToken, usersAdmin, type UsersServer } from './support';

let u: UsersServer;
let before: { head: number; events: RecordedEvent[] };
let aliceToken: string;

beforeAll(async () => {
  u = await startUsers();
  await createUser(u, 'alice', 'Alice', 'alice@example.com');
  await createUser(u, 'bob', 'Bob');
  await createPhoneApp(u);
  aliceToken = await userToken(u, 'alice');
  before = { head: await head(u), events: await allEvents(u) };
});

afterAll(async () => {
  // nothing was appended and nothing lost, and the server still answers
  expect(await head(u)).toBe(before.head);
  expect(await allEvents(u)).toEqual(before.events);
  expect((await admin(u, 'GET', '/users')).json()).toHaveLength(2);
  await u.close();
});

type Case = readonly [label: string, body: unknown, status?: number, code?: string];

const idCases = (valid: Record<string, unknown>, what: string): readonly Case[] => [
  [`no ${what}`, { ...valid, id: undefined }],
  [`${what} as a number`, { ...valid, id: 7 }],
  [`${what} empty`, { ...valid, id: '' }],
  [`${what} with a space`, { ...valid, id: 'al ice' }],
  [`${what} with a slash`, { ...valid, id: 'a/b' }],
  [`${what} starting with a dot`, { ...valid, id: '.alice' }],
  [`${what} of 129 characters`, { ...valid, id: 'a'.repeat(129) }],
  ['no name', { ...valid, name: undefined }],
  ['name as a number', { ...valid, name: 1 }],
  ['name empty', { ...valid, name: '' }],
  ['name of spaces', { ...valid, name: '   ' }],
  ['name with a line break', { ...valid, name: 'Al\nice' }],
  ['name of 201 characters', { ...valid, name: 'n'.repeat(201) }],
];

async function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json: () => any }, status: number, code: string, label: string): Promise<void> {
  expect(res.statusCode, label).toBe(status);
  expect(String(res.headers['content-type']), label).toMatch(/^application\/problem\+json/);
  expect(res.json(), label).toMatchObject({ status, code, type: expect.stringContaining(code), title: expect.any(String), detail: expect.any(String) });
  expect(res.json().detail.length, label).toBeGreaterThan(5);
}

describe('admin HTTP', () => {
  it('POST /users', async () => {
    const cases: readonly Case[] = [
      ...idCases({ id: 'carol', name: 'Carol' }, 'id'),
      ['email not an address', { id: 'carol', name: 'Carol', email: 'carol' }],
      ['email as a number', { id: 'carol', name: 'Carol', email: 5 }],
      ['an existing id', { id: 'alice', name: 'Alice Again' }, 409, 'conflict'],
    ];
    for (const [label, body, status = 400, code = 'validation-failed'] of cases) await expectProblem(await admin(u, 'POST', '/users', body), status, code, label);
  });

  it('POST /phone-apps', async () => {
    const cases: readonly Case[] = [...idCases({ id: 'desk', name: 'Desk' }, 'id'), ['an existing id', { id: 'phone', name: 'Phone' }, 409, 'conflict']];
    for (const [label, body, status = 400, code = 'validation-failed'] of cases) await expectProblem(await admin(u, 'POST', '/phone-apps', body), status, code, label);
  });

  it('POST /users/import', async () => {
    await expectProblem(await importCsv(u, JSON.stringify({ id: 'x', name: 'y' }), 'application/json'), 415, 'unsupported-media-type', 'JSON');
    await expectProblem(await importCsv(u, 'id=x', 'application/x-www-form-urlencoded'), 415, 'unsupported-media-type', 'a form');
    await expectProblem(await importCsv(u, `id,name\n${'x,'.repeat(40_000)}`), 413, 'payload-too-large', 'over 64 KiB');
    const onlyBad = await importCsv(u, 'id,name,email\n bad id ,X\nalice,Alice,\n"unclosed,X\n');
    expect(onlyBad.statusCode).toBe(200);
    expect(onlyBad.json()).toEqual({ created: 0, skipped: 1, errors: [{ line: 2, detail: expect.any(String) }, { line: 4, detail: 'a quoted field is not closed' }] });
    expect((await importCsv(u, '')).json()).toEqual({ created: 0, skipped: 0, errors: [] });
    expect((await importCsv(u, '\r\n\r\n')).json()).toEqual({ created: 0, skipped: 0, errors: [] });
  });

  it('GET /users', async () => {
    for (const query of ['limit=0', 'limit=abc', 'limit=10001', 'limit=-1', 'limit=1.5', 'limit=']) {
      await expectProblem(await admin(u, 'GET', `/users?${query}`), 400, 'validation-failed', query);
    }
  });

  it('POST /users/{id}/tokens and GET /users/{id}/devices', async () => {
    await expectProblem(await admin(u, 'POST', '/users/bad%20id/tokens'), 400, 'validation-failed', 'an id with a space');
    await expectProblem(await admin(u, 'POST', `/users/${'a'.repeat(129)}/tokens`), 400, 'validation-failed', 'an id too long');
    await expectProblem(await admin(u, 'POST', '/users/nobody/tokens'), 404, 'not-found', 'an unknown user');
    await expectProblem(await admin(u, 'GET', '/users/nobody/devices'), 404, 'not-found', 'an unknown user');
    await expectProblem(await admin(u, 'GET', '/users/bad%20id/devices'), 404, 'not-found', 'an id that cannot exist');
  });

  it('GET /rollouts/{id}.csv', async () => {
    await expectProblem(await admin(u, 'GET', '/rollouts/nope.csv'), 404, 'not-found', 'an unknown rollout');
    await expectProblem(await admin(u, 'GET', '/rollouts/nope.csv?bom=maybe'), 400, 'validation-failed', 'bom=maybe');
  });

  it('POST /unassigned-phones/{mac}/assign', async () => {
    const assign = (mac: string, body: unknown) => admin(u, 'POST', `/unassigned-phones/${mac}/assign`, body);
    await expectProblem(await assign('009033aabbcc', { user: 7 }), 400, 'validation-failed', 'user as a number');
    await expectProblem(await assign('009033aabbcc', { user: 'bad id' }), 400, 'validation-failed', 'a bad user id');
    await expectProblem(await assign('not-a-mac', { user: 'alice' }), 400, 'validation-failed', 'a bad MAC');
    await expectProblem(await assign('ff:ff:ff:ff:ff:ff', { user: 'alice' }), 400, 'validation-failed', 'the broadcast MAC');
    await expectProblem(await assign('009033aabbcc', { user: 'alice' }), 404, 'not-found', 'no such unassigned phone');
    await expectProblem(await assign('009033aabbcc', { user: 'nobody' }), 404, 'not-found', 'no such user');
  });

  it('unknown routes and methods', async () => {
    await expectProblem(await admin(u, 'GET', '/nothing'), 404, 'not-found', 'an unknown route');
    await expectProblem(await admin(u, 'DELETE', '/users'), 404, 'not-found', 'an unknown method');
  });
});

type WsCase = readonly [label: string, message: unknown, code: string, mt?: string];

const framing: readonly WsCase[] = [
  ['not JSON', '{"mt": ', 'validation-failed', 'Error'],
  ['a JSON array', [1, 2], 'validation-failed', 'Error'],
  ['a JSON string', '"GetPhones"', 'validation-failed', 'Error'],
  ['no message type', { token: 'x' }, 'validation-failed', 'Error'],
  ['a message type that is no string', { mt: 5 }, 'validation-failed', 'Error'],
  ['an unknown message type', { mt: 'DeleteEverything' }, 'validation-failed'],
];

async function expectErrors(ws: TestSocket, cases: readonly WsCase[]): Promise<void> {
  for (const [i, [label, message, code, mt]] of cases.entries()) {
    const src = `bad-${i}`;
    const withSrc = typeof message === 'object' && message !== null && !Array.isArray(message) ? { src, ...message } : message;
    ws.send(typeof withSrc === 'string' ? withSrc : JSON.stringify(withSrc));
    const expectedMt = mt ?? `${String((message as { mt?: unknown }).mt)}Result`;
    const answer = await ws.next((m) => m['mt'] === expectedMt && (m['src'] === src || m['src'] === undefined), 10_000).catch(() => undefined);
    expect(answer, label).toMatchObject({ error: { code, detail: expect.any(String) } });
  }
}

describe('Profile WebSocket', () => {
  it('before login: only Login, with a token string', async () => {
    const ws = await TestSocket.connect(`${u.test.wsUrl}/users/v1/profile`);
    await expectErrors(ws, [
      ['GetPhones before login', { mt: 'GetPhones' }, 'unauthorized'],
      ['AddPhone before login', { mt: 'AddPhone', category: 'office' }, 'unauthorized'],
      ['Login without a token', { mt: 'Login' }, 'validation-failed'],
      ['Login with a number', { mt: 'Login', token: 42 }, 'validation-failed'],
    ]);
    ws.send({ mt: 'Login', token: 'x'.repeat(300) });
    expect(await ws.next('LoginResult')).toMatchObject({ ok: false });
    expect((await ws.waitClosed()).code).toBe(4003);
  });

  it('after login: every message checked', async () => {
    const ws = await profile(u, aliceToken);
    await expectErrors(ws, [
      ...framing,
      ['a message over 64 KiB', { mt: 'AddPhone', category: 'x'.repeat(70_000) }, 'payload-too-large', 'Error'],
      ['Login again', { mt: 'Login', token: aliceToken }, 'conflict'],
      ['AddPhone without a category', { mt: 'AddPhone' }, 'validation-failed'],
      ['AddPhone with a number', { mt: 'AddPhone', category: 3 }, 'validation-failed'],
      ['AddPhone with a bad category id', { mt: 'AddPhone', category: 'Bad Category!' }, 'validation-failed'],
      ['AddPhone while Devices is not connected', { mt: 'AddPhone', category: 'office' }, 'unavailable'],
      ['GetCategories while Devices is not connected', { mt: 'GetCategories' }, 'unavailable'],
    ]);
    expect(await ws.request({ mt: 'GetPhones' })).toMatchObject({ codes: [], devices: [] });
    ws.close();
  });
});

describe('UsersAdmin WebSocket', () => {
  it('a wrong admin token is refused and the session closed', async () => {
    for (const token of ['wrong', aliceToken, '']) {
      const ws = await TestSocket.connect(`${u.test.wsUrl}/users/v1/admin`);
      expect(await ws.request({ mt: 'Login', token })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
      expect((await ws.waitClosed()).code).toBe(4003);
    }
  });

  it('after login: every message checked, before Devices is asked', async () => {
    const ws = await usersAdmin(u);
    const start = { mt: 'StartRollout', category: 'office', phoneApp: 'phone', users: ['alice', 'bob'] };
    await expectErrors(ws, [
      ...framing,
      ['GetUsers with limit 0', { mt: 'GetUsers', limit: 0 }, 'validation-failed'],
      ['GetUsers with limit as text', { mt: 'GetUsers', limit: '5' }, 'validation-failed'],
      ['GetUsers with limit 10001', { mt: 'GetUsers', limit: 10_001 }, 'validation-failed'],
      ['GetUsers with after as a number', { mt: 'GetUsers', after: 1 }, 'validation-failed'],
      ['StartRollout without users', { ...start, users: undefined }, 'validation-failed'],
      ['StartRollout with users as text', { ...start, users: 'alice' }, 'validation-failed'],
      ['StartRollout with a number among users', { ...start, users: ['alice', 1] }, 'validation-failed'],
      ['StartRollout with no user', { ...start, users: [] }, 'validation-failed'],
      ['StartRollout with 10,001 users', { ...start, users: Array.from({ length: 10_001 }, (_, i) => `u${i}`) }, 'validation-failed'],
      ['StartRollout with a user twice', { ...start, users: ['alice', 'bob', 'alice'] }, 'validation-failed'],
      ['StartRollout with a bad user id', { ...start, users: ['alice', 'bad id'] }, 'validation-failed'],
      ['StartRollout with an unknown user', { ...start, users: ['alice', 'nobody'] }, 'not-found'],
      ['StartRollout without a category', { ...start, category: undefined }, 'validation-failed'],
      ['StartRollout with a bad category', { ...start, category: 'Bad!' }, 'validation-failed'],
      ['StartRollout with a bad phone app id', { ...start, phoneApp: '' }, 'validation-failed'],
      ['StartRollout with an unknown phone app', { ...start, phoneApp: 'fax' }, 'not-found'],
      ['StartRollout while Devices is not connected', start, 'unavailable'],
      ['GetRollout without an id', { mt: 'GetRollout' }, 'validation-failed'],
      ['GetRollout of an unknown rollout', { mt: 'GetRollout', rolloutId: 'nope' }, 'not-found'],
      ['ReissueCode without a user', { mt: 'ReissueCode', rolloutId: 'nope' }, 'validation-failed'],
      ['ReissueCode with a bad rollout id', { mt: 'ReissueCode', rolloutId: 'bad id', user: 'alice' }, 'validation-failed'],
      ['ReissueCode of an unknown rollout', { mt: 'ReissueCode', rolloutId: 'nope', user: 'alice' }, 'not-found'],
    ]);
    expect(await ws.request({ mt: 'GetUsers', limit: 1 })).toMatchObject({ users: [{ id: 'alice' }] });
    ws.close();
  });

  it('takes messages up to 1 MiB (a rollout of 10,000 users); a larger frame closes the connection', async () => {
    const ws = await usersAdmin(u);
    const big = await ws.request({ mt: 'GetUsers', padding: 'x'.repeat(900_000) });
    expect(big).toMatchObject({ users: [{ id: 'alice' }, { id: 'bob' }] });
    ws.send({ mt: 'GetUsers', padding: 'x'.repeat(1_100_000) });
    expect((await ws.waitClosed()).code).toBe(1009);
    (await usersAdmin(u)).close();
  });
});
