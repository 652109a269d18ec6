/**
 * Hostile input against every HTTP route and every WebSocket message of a real server:
 * `zerotouch serve --demo` (all parts, SQLite) in a child process, as an operator runs
 * it, with its process guard. The routes come from the server's own `/openapi.json`, the
 * message types of each WebSocket endpoint from the endpoint itself (an unknown message
 * type's error lists them), the fields of each message from its validation errors: a new
 * route, message or field is covered without touching this file.
 *
 * Every request and message is answered with a 4xx problem or an error result (or, for a
 * broken frame, a WebSocket close code); none gets a 5xx or an internal error. Afterwards
 * the process still answers, the event log is exactly what it was (no event appended,
 * nothing lost), nothing was logged at error, hostile clients were logged at most once a
 * minute, and the process guard never fired (`zt_process_unexpected_errors_total` has no
 * sample, no guard line in the log): what saved the server is the edge, not the guard.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startChildServer, type ChildServer } from '../support/child-server';
import { freePort } from '../support/server';
import { tempDir } from '../support/temp-dir';

const ADMIN = 'hostile-input-admin-token-0123456789abcdef';
const OPERATOR = 'hostile-input-operator-token-0123456789ab';
const APP_PASSWORD = 'hostile input app password';
/** the server's defaults (docs/security.md, "Limits"), but for connections and the login timeout, set lower here */
const DEPTH = 64;
const CONNECTIONS = 12;
const LOGIN_TIMEOUT_MS = 4_000;
const BURST = 1_000;

const deepArray = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const deepObject = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

interface Answer {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly security: string | undefined;
  readonly query: readonly string[];
  readonly params: readonly string[];
  /** the body's media types and, for JSON, its properties */
  readonly bodyTypes: readonly string[];
  readonly fields: readonly string[];
}

/** valid-looking values of path parameters, so that a route reaches its body */
const PATH_VALUES: Readonly<Record<string, string>> = {
  id: 'no-such-id',
  code: '123456789012',
  domain: 'example.com',
  category: 'office',
  mac: '009033fffff1',
  file: 'no-such-file.js',
};

const dir = tempDir('zt-hostile-');
let url: string;
let wsUrl: string;
let server: ChildServer;
let apiKey: string;
let aliceToken: string;
let device: { deviceId: string; deviceSecret: string };
let operations: Operation[];
let baseline: { head: number; rows: unknown[] };
const startedAt = Date.now();

const events = (): { head: number; rows: unknown[] } => {
  const db = new Database(join(dir.path, 'zerotouch.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT * FROM zt_events ORDER BY global_position').all() as Array<{ global_position: number }>;
    return { head: rows.at(-1)?.global_position ?? 0, rows };
  } finally {
    db.close();
  }
};

async function http(method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  const res = await fetch(`${url}${path}`, { method, headers: options.headers, ...(options.body !== undefined ? { body: options.body } : {}) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** the credential a route of the OpenAPI document takes; a scheme or prefix not known here fails the test */
function credentialFor(op: Operation): Record<string, string> {
  if (op.security === undefined) return {};
  if (op.security === 'device') return { authorization: `Device ${device.deviceId}:${device.deviceSecret}` };
  if (op.security === 'bearer') {
    if (op.path.startsWith('/redirector/v1/installations')) return bearer(OPERATOR);
    if (op.path.startsWith('/redirector/v1/')) return bearer(apiKey);
    if (op.path.startsWith('/devices/v1/admin') || op.path.startsWith('/users/v1/admin')) return bearer(ADMIN);
  }
  throw new Error(`no credential known for ${op.security} on ${op.method} ${op.path}: add it to credentialFor`);
}

const pathOf = (op: Operation, values: Readonly<Record<string, string>> = {}): string =>
  op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name] ?? PATH_VALUES[name];
    if (value === undefined) throw new Error(`no value known for the path parameter ${name} of ${op.path}: add it to PATH_VALUES`);
    return value;
  });

const takesBody = (op: Operation): boolean => !['GET', 'HEAD', 'OPTIONS'].includes(op.method);
const takesJson = (op: Operation): boolean => op.bodyTypes.length === 0 || op.bodyTypes.includes('application/json');

/** routes whose 503 says something about the server, not the request: readiness, web pages not built */
const mayBeUnavailable = (path: string): boolean => path === '/readyz' || path === '/apps' || path.startsWith('/apps/');

/** a refusal: a 4xx problem (never a 5xx, but the 503 of readiness and of web pages not built) */
function expectRefused(answer: Answer, label: string, op: Operation, statuses?: readonly number[]): void {
  if (answer.status === 503 && mayBeUnavailable(op.path)) return;
  expect(answer.status, `${label}: ${answer.body.slice(0, 300)}`).toBeLessThan(500);
  if (statuses) expect(statuses, `${label}: ${answer.status} ${answer.body.slice(0, 300)}`).toContain(answer.status);
  if (answer.status >= 400) {
    expect(answer.type, label).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(answer.body) as { status: number; code: string; detail: string };
    expect(problem.status, label).toBe(answer.status);
    expect(problem.code, label).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(problem.code, label).not.toBe('internal-error');
    expect(problem.detail.length, label).toBeGreaterThan(5);
  }
}

/** a JSON object giving every one of the route's fields (or a stand-in) the same value */
const everyField = (op: Operation, value: string): string => `{${(op.fields.length > 0 ? op.fields : ['kind', 'x']).map((f) => `"${f}":${value}`).join(',')}}`;
const share = (op: Operation, total: number): number => Math.floor(total / Math.max(1, op.fields.length || 2));

interface BodyCase {
  readonly label: string;
  readonly body: (op: Operation) => string | Buffer;
  readonly type?: string;
  readonly statuses: readonly number[];
}

/** refused by the JSON parser whatever the route does with its body */
const PARSER_CASES: readonly BodyCase[] = [
  { label: '5,000 nested arrays', body: () => deepArray(5000), statuses: [400] },
  { label: '5,000 nested objects', body: () => deepObject(5000), statuses: [400] },
  { label: '32,000 nested arrays (64 KB)', body: () => deepArray(32_000), statuses: [400] },
  { label: '10,000 nested arrays in every field', body: (op) => everyField(op, deepArray(share(op, 20_000))), statuses: [400] },
  { label: `nesting of ${DEPTH + 1}`, body: () => deepArray(DEPTH + 1), statuses: [400] },
  { label: 'a __proto__ key', body: (op) => `{"__proto__":{"admin":true},${everyField(op, '"x"').slice(1)}`, statuses: [400] },
  { label: 'constructor.prototype', body: (op) => `{"constructor":{"prototype":{"admin":true}},${everyField(op, '"x"').slice(1)}`, statuses: [400] },
  { label: 'broken JSON', body: () => '{"mac": ', statuses: [400] },
  { label: 'binary bytes as JSON', body: () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), statuses: [400] },
  { label: 'an empty body', body: () => '', statuses: [400, 415] },
  { label: 'a body over 64 KiB', body: (op) => everyField(op, `"${'x'.repeat(share(op, 70_000))}"`), statuses: [413] },
  { label: 'a deep body over 64 KiB', body: () => deepArray(40_000), statuses: [413] },
];

const CONTENT_TYPE_CASES: readonly BodyCase[] = [
  'text/plain',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/json-patch+json',
].map((type) => ({ label: `a body of ${type}`, type, body: () => deepArray(5000), statuses: [415] }));

/** valid JSON that every route's codec refuses */
const CODEC_CASES: readonly BodyCase[] = [
  ...['[]', 'null', '42', '"x"', 'true', '{}'].map((text) => ({ label: `the JSON ${text}`, body: () => text, statuses: [400] })),
  { label: `nesting of ${DEPTH} in every field`, body: (op) => everyField(op, deepArray(DEPTH - 1)), statuses: [400] },
  { label: 'arrays of 30,000 numbers', body: (op) => everyField(op, `[${Array(share(op, 30_000)).fill(0).join(',')}]`), statuses: [400] },
  { label: 'arrays of 15,000 strings', body: (op) => everyField(op, JSON.stringify(Array(share(op, 15_000)).fill('x'))), statuses: [400] },
  { label: 'strings of 60,000 characters', body: (op) => everyField(op, `"${'x'.repeat(share(op, 60_000))}"`), statuses: [400] },
  { label: 'objects of 6,000 keys', body: (op) => everyField(op, JSON.stringify(Object.fromEntries(Array.from({ length: share(op, 6_000) }, (_, i) => [`k${i}`, 0])))), statuses: [400] },
  { label: 'lone surrogates and control characters', body: (op) => everyField(op, '"\\ud800\\u0000\\u001b[31m"'), statuses: [400] },
  { label: 'numbers out of range', body: (op) => everyField(op, '1e400'), statuses: [400] },
];

/** a text/csv route: hostile CSV is answered with its per-line errors (200) or refused */
const CSV_CASES: readonly BodyCase[] = [
  { label: 'an unclosed quote of 60,000 characters', type: 'text/csv', body: () => `id,name\n"${'x'.repeat(60_000)}`, statuses: [200, 400] },
  { label: '30,000 empty fields', type: 'text/csv', body: () => `id,name\n${',,\n'.repeat(20_000)}`, statuses: [200, 400] },
  // bytes that are no UTF-8 (so no line of them can be a valid user by chance)
  { label: 'binary bytes', type: 'text/csv', body: () => Buffer.from(Array.from({ length: 8192 }, (_, i) => 0x80 + ((i * 7919) % 128))), statuses: [200, 400] },
  { label: 'a CSV over 64 KiB', type: 'text/csv', body: () => `id,name\n${'a,b\n'.repeat(20_000)}`, statuses: [413] },
];

describe('hostile input against every route and message of a real server', { timeout: 600_000 }, () => {
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    wsUrl = `ws://127.0.0.1:${port}`;
    server = await startChildServer(url, {
      ...process.env,
      ZT_DATA_DIR: dir.path,
      ZT_PORT: String(port),
      ZT_HOST: '127.0.0.1',
      ZT_LOG_LEVEL: 'info',
      ZT_ADMIN_TOKEN: ADMIN,
      ZT_OPERATOR_TOKEN: OPERATOR,
      ZT_USERS_APP_PASSWORD: APP_PASSWORD,
      ZT_WS_CONNECTIONS_PER_IP: String(CONNECTIONS),
      ZT_WS_LOGIN_TIMEOUT_MS: String(LOGIN_TIMEOUT_MS),
    });
    const secrets = JSON.parse(readFileSync(join(dir.path, 'secrets.json'), 'utf8')) as Record<string, string>;
    // an installation of its own: the one of this Devices has a key derived from the server secret
    const registered = await http('POST', '/redirector/v1/installations', {
      headers: { ...bearer(OPERATOR), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Hostile', devicesUrl: 'https://hostile.example.net/devices' }),
    });
    expect(registered.status).toBe(201);
    apiKey = (JSON.parse(registered.body) as { apiKey: string }).apiKey;
    aliceToken = secrets['demoToken:alice']!;

    // a provisioned phone, for the routes that take a device credential
    const profile = await Peer.open('/users/v1/profile', true);
    const added = await profile.request({ mt: 'AddPhone', category: 'office' });
    const phone = { code: String(added['code']), mac: '009033aa0001', model: 'IP112', firmware: '13r1 sr1', bootcode: '13r1', localIp: '192.0.2.10' };
    expect((await http('POST', '/redirector/v1/phone/redeem', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(phone) })).status).toBe(200);
    const provisioned = await http('POST', '/devices/v1/phone/provision', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(phone) });
    expect(provisioned.status).toBe(200);
    device = JSON.parse(provisioned.body) as typeof device;
    // Users records the phone and acknowledges it; then nothing moves any more
    await waitFor(async () => ((await profile.request({ mt: 'GetPhones' }))['devices'] as unknown[]).length === 1, 'the phone registered with alice');
    await waitFor(async () => (await http('GET', '/devices/v1/admin/outbox?domain=example.com', { headers: bearer(ADMIN) })).body === '[]', 'the outbox drained');
    profile.close();
    let before = events();
    for (let still = 0; still < 5; ) {
      await new Promise((r) => setTimeout(r, 200));
      const now = events();
      still = now.head === before.head ? still + 1 : 0;
      before = now;
    }
    baseline = before;

    const doc = JSON.parse((await http('GET', '/openapi.json')).body) as {
      paths: Record<string, Record<string, { security?: Array<Record<string, unknown>>; parameters?: Array<{ in: string; name: string }>; requestBody?: { content: Record<string, { schema?: { properties?: Record<string, unknown> } }> } }>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]): Operation => {
        const content = op.requestBody?.content ?? {};
        return {
          method: method.toUpperCase(),
          path,
          security: op.security?.[0] ? Object.keys(op.security[0])[0] : undefined,
          query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
          params: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
          bodyTypes: Object.keys(content),
          fields: Object.keys(content['application/json']?.schema?.properties ?? {}),
        };
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await server?.stop('SIGTERM');
    dir.remove();
  });

  it('the OpenAPI document lists the routes of every part', () => {
    const paths = new Set(operations.map((o) => o.path));
    for (const path of ['/redirector/v1/phone/init', '/redirector/v1/phone/redeem', '/devices/v1/phone/provision', '/devices/v1/phone/checkin', '/devices/v1/admin/domains', '/users/v1/admin/users']) expect(paths).toContain(path);
    expect(operations.length).toBeGreaterThan(40);
  });

  it('every route: hostile bodies are refused with 400, 413 or 415, by the parser or the route’s codec', async () => {
    for (const op of operations.filter(takesBody)) {
      const path = pathOf(op);
      const headers = credentialFor(op);
      // a CSV route takes text/plain as CSV too
      const accepted = op.bodyTypes.includes('text/csv') ? [...op.bodyTypes, 'text/plain'] : op.bodyTypes;
      const cases = [...PARSER_CASES, ...CONTENT_TYPE_CASES.filter((c) => !accepted.includes(c.type!)), ...(takesJson(op) ? CODEC_CASES : op.bodyTypes.includes('text/csv') ? CSV_CASES : [])];
      for (const c of cases) {
        const body = c.body(op);
        const label = `${op.method} ${op.path}: ${c.label}`;
        const answer = await http(op.method, path, { headers: { ...headers, 'content-type': c.type ?? 'application/json' }, body });
        // a route that takes no body of its own still refuses what its parser refuses; what it ignores it may answer as usual
        const noBody = op.bodyTypes.length === 0 && CODEC_CASES.includes(c);
        expectRefused(answer, label, op, noBody ? undefined : c.statuses);
      }
      expect((await http('GET', '/healthz')).status).toBe(200);
    }
  });

  it('every route with a credential: a missing or wrong one is 401 whatever the body', async () => {
    for (const op of operations.filter((o) => o.security !== undefined)) {
      const path = pathOf(op);
      for (const headers of [{}, bearer('x'.repeat(8000)), { authorization: `Device ${'['.repeat(4000)}:${'{'.repeat(4000)}` }, { authorization: `Bearer ${deepArray(2000)}` }]) {
        const answer = await http(op.method, path, { headers: { ...headers, ...(takesBody(op) ? { 'content-type': 'application/json' } : {}) }, ...(takesBody(op) ? { body: deepArray(5000) } : {}) });
        expectRefused(answer, `${op.method} ${op.path} without a valid credential`, op, [401]);
      }
    }
  });

  it('every route: hostile query strings and path parameters are refused or ignored, never a 5xx', async () => {
    const huge = 'x'.repeat(12_000);
    for (const op of operations) {
      const headers = credentialFor(op);
      const names = [...op.query, 'x'];
      const queries: Array<[string, string]> = [
        ['5,000 brackets', names.map((n) => `${n}=${'%5B'.repeat(Math.floor(5000 / names.length))}`).join('&')],
        ['a parameter 1,000 times', names.flatMap((n) => Array(Math.floor(1000 / names.length)).fill(`${n}=1`)).join('&')],
        ['a value of 12,000 characters', names.map((n) => `${n}=${huge.slice(0, Math.floor(12_000 / names.length))}`).join('&')],
        ['nested-looking keys', '__proto__[admin]=1&constructor[prototype][admin]=1&a[0][0][0][0]=1&limit[]=1'],
        ['invalid percent-encoding', names.map((n) => `${n}=%ff%fe%00%zz`).join('&')],
      ];
      for (const [label, query] of queries) {
        const answer = await http(op.method, `${pathOf(op)}?${query}`, { headers });
        expectRefused(answer, `${op.method} ${op.path}: ${label}`, op, op.query.includes('limit') && label !== 'nested-looking keys' ? [400] : undefined);
      }
      expectRefused(await http(op.method, `${pathOf(op)}?a=${'x'.repeat(20_000)}`, { headers }), `${op.method} ${op.path}: a URL over 16 KiB`, op, [431]);
      for (const name of op.params) {
        for (const [label, value, statuses] of [
          ['101 characters', 'x'.repeat(101), [400]],
          ['brackets', '%5B'.repeat(90), undefined],
          ['invalid percent-encoding', '%ff%fe', undefined],
          ['a broken escape', '%zz', [400]],
          ['a NUL and a path', '..%2F..%2Fetc%2Fpasswd%00', undefined],
        ] as const) {
          expectRefused(await http(op.method, pathOf(op, { [name]: value }), { headers }), `${op.method} ${op.path}: ${name} ${label}`, op, statuses);
        }
      }
    }
    expect((await http('GET', '/healthz')).status).toBe(200);
  });

  describe.each(['/devices/v1/apps', '/users/v1/profile', '/users/v1/admin'])('WebSocket %s', (endpoint) => {
    /** the endpoint's message types, as it lists them, and each one's fields, as its validation errors name them */
    let catalogue: Array<{ mt: string; fields: string[] }>;

    beforeAll(async () => {
      const peer = await Peer.open(endpoint, true);
      const unknown = await peer.request({ mt: 'NoSuchMessage' });
      const types = (unknown['error'] as { messageTypes?: string[] }).messageTypes ?? [];
      catalogue = [];
      for (const mt of types) {
        const probe = await peer.request({ mt });
        const detail = String((probe['error'] as { detail?: string } | undefined)?.detail ?? '');
        catalogue.push({ mt, fields: [...new Set([...detail.matchAll(new RegExp(`\\b${mt}\\.(\\w+)`, 'g'))].map((m) => m[1]!))] });
      }
      peer.close();
    });

    it('lists its message types', () => {
      expect(catalogue.map((c) => c.mt)).toContain('Login');
      expect(catalogue.map((c) => c.mt)).toContain('GetCategories');
      expect(catalogue.length).toBeGreaterThan(2);
    });

    it('the message that ended the process: a Login with 5,000 nested arrays, before login', async () => {
      const peer = await Peer.open(endpoint, false);
      const login = endpoint === '/devices/v1/apps' ? `{"mt":"Login","app":"users","domain":${deepArray(5000)},"digest":"00"}` : `{"mt":"Login","token":${deepArray(5000)}}`;
      expect(await peer.exchange(() => peer.ws.send(login))).toEqual({ message: { mt: 'Error', error: { code: 'validation-failed', detail: `the JSON nests deeper than ${DEPTH} levels` } } });
      expect((await http('GET', '/healthz')).status).toBe(200);
      expect(await peer.exchange(() => peer.ws.send(`{"mt":"Login","src":${deepArray(5000)}}`))).toMatchObject({ message: { mt: 'Error', error: { code: 'validation-failed' } } });
      peer.close();
    });

    it.each([false, true])('every message, logged in: %s — deep, wide, huge and poisoned fields get an error result', async (loggedIn) => {
      expect(catalogue.length).toBeGreaterThan(2);
      let peer = await Peer.open(endpoint, loggedIn);
      for (const { mt, fields } of catalogue) {
        const names = [...fields, 'src', 'x'];
        const all = (value: string): string => `{"mt":"${mt}",${names.map((f) => `"${f}":${value}`).join(',')}}`;
        const part = (total: number): number => Math.floor(total / names.length);
        const cases: Array<[label: string, text: string, parserRefuses: boolean]> = [
          ['5,000 nested arrays in every field', all(deepArray(part(20_000))), true],
          ['5,000 nested objects in every field', all(deepObject(part(10_000))), true],
          [`nesting of ${DEPTH + 1}`, all(deepArray(DEPTH)), true],
          ['a deep message type', `{"mt":${deepArray(5000)}}`, true],
          ['a deep top level', deepArray(20_000), true],
          ['a __proto__ key', `{"mt":"${mt}","src":1,"__proto__":{"admin":true}}`, true],
          ['constructor.prototype', `{"mt":"${mt}","src":1,"constructor":{"prototype":{"admin":true}}}`, true],
          ['broken JSON', `{"mt":"${mt}",`, true],
          [`nesting of ${DEPTH - 1} in every field`, all(deepArray(DEPTH - 2)), false],
          ['arrays of 10,000 numbers', all(`[${Array(part(20_000)).fill(0).join(',')}]`), false],
          ['strings of 50,000 characters', all(`"${'x'.repeat(part(50_000))}"`), false],
          ['objects of 4,000 keys', all(JSON.stringify(Object.fromEntries(Array.from({ length: part(4_000) }, (_, i) => [`k${i}`, 0])))), false],
          ['lone surrogates and escapes', all('"\\ud800\\u0000\\u001b[31m"'), false],
          ['numbers out of range', all('1e400'), false],
        ];
        for (const [label, text, parserRefuses] of cases) {
          const where = `${endpoint} ${mt} (logged in: ${loggedIn}): ${label}`;
          peer = await peer.ready(endpoint, loggedIn);
          const answer = await peer.exchange(() => peer.ws.send(text));
          expectErrorResult(answer, where, parserRefuses, fields.length > 0 || !loggedIn);
        }
      }
      peer.close();
    });

    it('binary, oversize, invalid UTF-8 and fragmented frames: an error result or a close code, then the endpoint serves on', async () => {
      const max = endpoint === '/users/v1/admin' ? 1024 * 1024 : 64 * 1024;
      let peer = await Peer.open(endpoint, false);
      expectErrorResult(await peer.exchange(() => peer.ws.send(Buffer.from('{"mt":"Login"}'), { binary: true })), `${endpoint}: binary`, true, true);
      if (max < 1024 * 1024) {
        expect(await peer.exchange(() => peer.ws.send(`{"mt":"Login","x":"${'x'.repeat(max)}"}`))).toMatchObject({ message: { mt: 'Error', error: { code: 'payload-too-large' } } });
      }
      peer.ws.send('{"mt":"No', { fin: false });
      expect(await peer.exchange(() => peer.ws.send('SuchMessage","src":"parts"}', { fin: true }))).toMatchObject({ message: { src: 'parts', error: { code: 'validation-failed' } } });
      expect(await peer.exchange(() => peer.ws.send(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]), { binary: false }))).toMatchObject({ closed: { code: 1007 } });
      peer = await Peer.open(endpoint, false);
      expect(await peer.exchange(() => peer.ws.send('x'.repeat(1024 * 1024 + 1)))).toMatchObject({ closed: { code: 1009 } });
      peer = await Peer.open(endpoint, false);
      expect(
        await peer.exchange(() => {
          for (let i = 0; i < 20; i++) peer.ws.send('['.repeat(60 * 1024), { fin: false });
        }),
      ).toMatchObject({ closed: { code: 1009 } });
      peer = await Peer.open(endpoint, true);
      expect(await peer.request({ mt: 'GetCategories' })).toMatchObject({ categories: expect.any(Array) });
      peer.close();
    });

    it(`a flood of messages gets rate-limited and the connection closed with 4029`, async () => {
      const peer = await Peer.open(endpoint, false);
      for (let i = 0; i < BURST + 500; i++) peer.ws.send('{"mt":"GetCategories"}');
      const end = await peer.until((m) => (m['error'] as { code?: string } | undefined)?.code === 'rate-limited');
      expect(end.message).toMatchObject({ mt: 'Error', error: { code: 'rate-limited', detail: expect.stringContaining('too many messages') } });
      expect(await peer.closedWith()).toEqual({ code: 4029, reason: 'too many messages' });
    });

    it(`takes at most ${CONNECTIONS} connections from one address (429 beyond), and a client that does not log in is closed (4001)`, async () => {
      const peers: Peer[] = [];
      let refused: { status: number; problem: { code: string } } | undefined;
      for (let i = 0; i <= CONNECTIONS && !refused; i++) {
        const opened = await Peer.connect(endpoint);
        if (opened instanceof Peer) peers.push(opened);
        else refused = opened;
      }
      expect(refused).toMatchObject({ status: 429, problem: { code: 'rate-limited' } });
      expect(peers.length).toBeLessThanOrEqual(CONNECTIONS);
      const idle = peers.shift()!;
      expect(await idle.closedWith(LOGIN_TIMEOUT_MS + 5_000)).toMatchObject({ code: 4001 });
      for (const p of peers) p.close();
      await Promise.all(peers.map((p) => p.closedWith()));
      await expect.poll(async () => {
        const again = await Peer.connect(endpoint);
        if (again instanceof Peer) again.close();
        return again instanceof Peer;
      }).toBe(true);
    });
  });

  describe('afterwards', () => {
    it('the process answers, the event log is exactly as it was, and the phone and its user work on', async () => {
      expect((await http('GET', '/healthz')).status).toBe(200);
      const after = events();
      expect(after.head).toBe(baseline.head);
      expect(after.rows).toEqual(baseline.rows);
      const checkin = await http('POST', '/devices/v1/phone/checkin', {
        headers: { authorization: `Device ${device.deviceId}:${device.deviceSecret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ firmware: '13r1 sr1', bootcode: '13r1', configRevision: null }),
      });
      expect(checkin.status).toBe(200);
      const profile = await Peer.open('/users/v1/profile', true);
      expect((await profile.request({ mt: 'GetPhones' }))['devices']).toMatchObject([{ mac: '009033aa0001' }]);
      profile.close();
    });

    it('no 5xx, no error line, hostile clients logged at most once a minute, and the process guard never fired', async () => {
      const metrics = (await http('GET', '/metrics')).body;
      const samples = (name: string): string[] => metrics.split('\n').filter((l) => l.startsWith(name) && !l.startsWith('#'));
      expect(samples('zt_process_unexpected_errors_total')).toEqual([]);
      expect(samples('zt_client_failures_total')).toEqual([]);
      const fiveHundreds = samples('zt_http_request_duration_seconds_count').filter((l) => /status="5\d\d"/.test(l) && !(/status="503"/.test(l) && mayBeUnavailable(/route="([^"]*)"/.exec(l)?.[1] ?? '')));
      expect(fiveHundreds).toEqual([]);
      for (const kind of ['json-too-deep', 'forbidden-key', 'too-large', 'binary-message', 'message-flood', 'too-many-connections', 'websocket-protocol']) {
        expect(samples(`zt_hostile_input_total{kind="${kind}"}`), kind).toHaveLength(1);
      }
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: number; msg: string });
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
      expect(lines.filter((l) => /unhandled|uncaught/.test(l.msg))).toEqual([]);
      const minutes = Math.ceil((Date.now() - startedAt) / 60_000);
      expect(lines.filter((l) => l.msg.startsWith('hostile input refused')).length).toBeLessThanOrEqual(minutes + 1);
      expect(lines.filter((l) => l.msg.startsWith('hostile input refused')).length).toBeGreaterThan(0);
    });
  });
});

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** an error result, never an internal error; refused by the parser means validation-failed and nothing else */
function expectErrorResult(answer: Exchange, where: string, parserRefuses: boolean, mustFail: boolean): void {
  if (answer.closed) {
    // a refused login closes the connection (4003), after its LoginResult
    expect(answer.closed.code, where).toBe(4003);
    return;
  }
  const message = answer.message!;
  const error = message['error'] as { code?: string; detail?: string } | undefined;
  if (parserRefuses) {
    expect(message['mt'], where).toBe('Error');
    expect(error, where).toMatchObject({ code: 'validation-failed', detail: expect.any(String) });
    return;
  }
  if (!mustFail && error === undefined) return;
  expect(error, `${where}: ${JSON.stringify(message).slice(0, 300)}`).toBeDefined();
  expect(['validation-failed', 'unauthorized', 'not-found', 'forbidden', 'conflict', 'payload-too-large'], `${where}: ${JSON.stringify(message).slice(0, 300)}`).toContain(error!.code);
}

interface Exchange {
  readonly message?: Record<string, unknown>;
  readonly closed?: { code: number; reason: string };
}

/** one WebSocket client: messages in order of arrival, the close, logging in as each endpoint asks */
class Peer {
  private readonly inbox: Array<Record<string, unknown>> = [];
  private wake: (() => void) | undefined;
  closed: { code: number; reason: string } | undefined;
  private counter = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.inbox.push(JSON.parse(data.toString()) as Record<string, unknown>);
      this.wake?.();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake?.();
    });
    ws.on('error', () => undefined);
  }

  /** a connection, or how its upgrade was refused */
  static connect(endpoint: string): Promise<Peer | { status: number; problem: { code: string } }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${wsUrl}${endpoint}`, { maxPayload: 64 * 1024 * 1024 });
      const peer = new Peer(ws);
      ws.once('open', () => resolve(peer));
      ws.once('unexpected-response', (request, response) => {
        let body = '';
        response.on('data', (d: Buffer) => (body += d.toString()));
        response.on('end', () => {
          request.destroy();
          resolve({ status: response.statusCode ?? 0, problem: JSON.parse(body) as { code: string } });
        });
      });
      ws.once('error', reject);
    });
  }

  static async open(endpoint: string, loggedIn: boolean): Promise<Peer> {
    const peer = await Peer.connect(endpoint);
    if (!(peer instanceof Peer)) throw new Error(`connecting to ${endpoint} was refused: ${peer.status}`);
    if (endpoint === '/devices/v1/apps') {
      const challenge = (await peer.until((m) => m['mt'] === 'Challenge')).message!;
      if (loggedIn) {
        const digest = createHmac('sha256', APP_PASSWORD).update(String(challenge['challenge'])).digest('hex');
        expect(await peer.request({ mt: 'Login', app: 'users', domain: 'example.com', digest }, 'LoginResult')).toMatchObject({ ok: true });
      }
    } else if (loggedIn) {
      const token = endpoint === '/users/v1/profile' ? aliceToken : ADMIN;
      expect(await peer.request({ mt: 'Login', token }, 'LoginResult')).toMatchObject({ ok: true });
    }
    return peer;
  }

  /** this peer if it is still open, else a new one in the same state */
  async ready(endpoint: string, loggedIn: boolean): Promise<Peer> {
    return this.closed || this.ws.readyState !== WebSocket.OPEN ? Peer.open(endpoint, loggedIn) : this;
  }

  /** what comes back first after `send`: a message (the one answering it) or the close */
  async exchange(send: () => void, timeoutMs = 10_000): Promise<Exchange> {
    this.inbox.length = 0;
    send();
    const answer = await this.until(() => true, timeoutMs);
    return answer.message ? { message: answer.message } : { closed: answer.closed! };
  }

  async request(message: Record<string, unknown>, resultType = `${String(message['mt'])}Result`): Promise<Record<string, unknown>> {
    const src = `r${++this.counter}`;
    this.ws.send(JSON.stringify({ ...message, src }));
    const answer = await this.until((m) => m['mt'] === resultType && m['src'] === src);
    if (!answer.message) throw new Error(`closed before ${resultType}: ${JSON.stringify(answer.closed)}`);
    return answer.message;
  }

  /** the first message matching (dropping the others), or the close */
  async until(match: (m: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Exchange> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (let m = this.inbox.shift(); m; m = this.inbox.shift()) if (match(m)) return { message: m };
      if (this.closed) return { closed: this.closed };
      if (Date.now() > deadline) throw new Error('no answer in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.wake = () => {
          clearTimeout(timer);
          this.wake = undefined;
          resolve();
        };
      });
    }
  }

  async closedWith(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('not closed in time');
      this.inbox.length = 0;
      await this.until(() => false, Math.max(1, deadline - Date.now())).catch(() => undefined);
    }
    return this.closed;
  }

  close(): void {
    this.ws.close();
  }
}
