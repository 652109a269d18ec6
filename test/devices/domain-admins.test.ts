/**
 * Domain administrators (SPEC §5.5) over real HTTP against a real all-in-one server: every
 * admin route × {the global admin, a domain admin in its own domain, the same admin
 * reaching into another domain, a revoked admin, no token}, each cell on fixtures of its
 * own; then who is recorded as the actor, the Redirector's operator routes, and a
 * revocation seen at once by a second node on the same database.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '../../src/adapters/cli/audit';
import { startTestServer, type TestServer } from '../support/server';
import { createTestDatabase } from '../support/postgres';
import { AdminClient, type Answer } from './admin-support';
import { FIRMWARE } from './support';

const A = 'example.com';
const B = 'other.example';

type Column = 'global' | 'own' | 'other' | 'revoked' | 'none';
const COLUMNS: readonly Column[] = ['global', 'own', 'other', 'revoked', 'none'];

interface Request {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

interface Row {
  readonly route: string;
  /** the request against `domain`, on fixtures made for this one cell */
  readonly request: (domain: string) => Promise<Request>;
  readonly expect: Readonly<Record<Column, number>>;
  /** what a 200 list must hold for the column */
  readonly check?: (column: Column, answer: Answer) => void;
}

const scoped = (ok: number, other = 404): Record<Column, number> => ({ global: ok, own: ok, other, revoked: 401, none: 401 });
const globalOnly = (ok: number): Record<Column, number> => ({ global: ok, own: 403, other: 403, revoked: 401, none: 401 });

/** a list a domain admin reads: only its own domain, and nothing when it names another */
const onlyOwn = (domainOf: (item: any) => string) => (column: Column, answer: Answer) => {
  const domains = new Set((answer.body as any[]).map(domainOf));
  if (column === 'global') expect(domains).toEqual(new Set([B]));
  if (column === 'own') expect([...domains].filter((d) => d !== A)).toEqual([]);
  if (column === 'other') expect(answer.body).toEqual([]);
};

let server: TestServer;
let client: AdminClient;
let own: { id: string; token: string };
let revoked: string;
let fresh = 0;

beforeAll(async () => {
  server = await startTestServer({ demo: true });
  client = new AdminClient(server);
  await client.domain(B);
  own = await client.admin(A);
  const gone = await client.admin(A, 'Former IT');
  await client.ok('DELETE', `/domains/${A}/admins/${gone.id}`, undefined, 204);
  revoked = gone.token;
  // each domain has a job, a phone and a waiting notice of its own
  for (const d of [A, B]) {
    await client.updateJob(d);
    await client.configJob(d);
    await client.ok('POST', `/devices/${await client.awaiting(d)}/approve`, undefined, 204);
  }
}, 60_000);

afterAll(async () => {
  await server?.close();
});

const tokenOf = (column: Column): string | undefined =>
  column === 'global' ? client.global : column === 'own' || column === 'other' ? own.token : column === 'revoked' ? revoked : undefined;
const domainOf = (column: Column): string => (column === 'global' || column === 'other' ? B : A);

const ROWS: readonly Row[] = [
  {
    route: 'GET /whoami',
    request: async () => ({ method: 'GET', path: '/whoami' }),
    expect: scoped(200, 200),
    check: (column, answer) => expect(answer.body).toEqual(column === 'global' ? { kind: 'global' } : { kind: 'domain', id: own.id, domain: A }),
  },
  { route: 'POST /domains', request: async () => ({ method: 'POST', path: '/domains', body: { name: `new${++fresh}.example`, appPassword: 'a long app password' } }), expect: globalOnly(201) },
  {
    route: 'GET /domains',
    request: async () => ({ method: 'GET', path: '/domains' }),
    expect: scoped(200, 200),
    check: (column, answer) => {
      const names = (answer.body as Array<{ name: string }>).map((d) => d.name);
      if (column === 'global') expect(names).toEqual(expect.arrayContaining([A, B]));
      else if (column !== 'revoked' && column !== 'none') expect(names).toEqual([A]);
    },
  },
  { route: 'POST /domains/{domain}/categories', request: async (d) => ({ method: 'POST', path: `/domains/${d}/categories`, body: { id: `c${++fresh}`, name: 'New', provisioning: true } }), expect: scoped(201) },
  { route: 'GET /domains/{domain}/categories', request: async (d) => ({ method: 'GET', path: `/domains/${d}/categories` }), expect: scoped(200) },
  { route: 'PATCH /domains/{domain}/categories/{category}', request: async (d) => ({ method: 'PATCH', path: `/domains/${d}/categories/office`, body: { provisioning: true } }), expect: scoped(204) },
  { route: 'POST /update-jobs', request: async (d) => ({ method: 'POST', path: '/update-jobs', body: { domain: d, category: 'office', firmware: { ...FIRMWARE, version: 'v9' } } }), expect: scoped(201) },
  { route: 'GET /update-jobs?domain=', request: async (d) => ({ method: 'GET', path: `/update-jobs?domain=${d}` }), expect: scoped(200, 200), check: onlyOwn((j) => j.domain) },
  { route: 'GET /update-jobs', request: async () => ({ method: 'GET', path: '/update-jobs' }), expect: scoped(200, 200), check: (c, a) => c !== 'global' && onlyOwn((j) => j.domain)('own', a) },
  { route: 'GET /update-jobs/{id}/phones', request: async (d) => ({ method: 'GET', path: `/update-jobs/${await client.updateJob(d)}/phones` }), expect: scoped(200) },
  { route: 'POST /update-jobs/{id}/advance', request: async (d) => ({ method: 'POST', path: `/update-jobs/${await client.updateJob(d)}/advance` }), expect: scoped(200) },
  { route: 'DELETE /update-jobs/{id}', request: async (d) => ({ method: 'DELETE', path: `/update-jobs/${await client.updateJob(d)}` }), expect: scoped(204) },
  { route: 'POST /config-jobs', request: async (d) => ({ method: 'POST', path: '/config-jobs', body: { domain: d, category: '*', type: 'time', params: { zone: 'UTC' } } }), expect: scoped(201) },
  { route: 'GET /config-jobs?domain=', request: async (d) => ({ method: 'GET', path: `/config-jobs?domain=${d}` }), expect: scoped(200, 200), check: onlyOwn((j) => j.domain) },
  { route: 'DELETE /config-jobs/{id}', request: async (d) => ({ method: 'DELETE', path: `/config-jobs/${await client.configJob(d)}` }), expect: scoped(204) },
  { route: 'GET /devices?domain=', request: async (d) => ({ method: 'GET', path: `/devices?domain=${d}` }), expect: scoped(200, 200), check: onlyOwn((p) => p.domain) },
  { route: 'GET /devices?category=', request: async () => ({ method: 'GET', path: '/devices?category=office' }), expect: { ...scoped(200, 200), global: 400 }, check: (c, a) => onlyOwn((p) => p.domain)(c === 'other' ? 'own' : c, a) },
  { route: 'GET /devices/{mac}', request: async (d) => ({ method: 'GET', path: `/devices/${await client.claimed(d)}` }), expect: scoped(200) },
  { route: 'POST /devices/{mac}/release', request: async (d) => ({ method: 'POST', path: `/devices/${await client.claimed(d)}/release` }), expect: scoped(204) },
  { route: 'POST /devices/{mac}/approve', request: async (d) => ({ method: 'POST', path: `/devices/${await client.awaiting(d)}/approve` }), expect: scoped(204) },
  { route: 'POST /claims', request: async (d) => ({ method: 'POST', path: '/claims', body: { macs: [client.nextMac()], domain: d, category: 'office' } }), expect: scoped(201) },
  { route: 'GET /outbox?domain=', request: async (d) => ({ method: 'GET', path: `/outbox?domain=${d}` }), expect: scoped(200, 200), check: onlyOwn((n) => n.domain) },
  { route: 'GET /outbox', request: async () => ({ method: 'GET', path: '/outbox' }), expect: scoped(200, 200), check: (c, a) => c !== 'global' && onlyOwn((n) => n.domain)('own', a) },
  { route: 'POST /domains/{domain}/admins', request: async (d) => ({ method: 'POST', path: `/domains/${d}/admins`, body: { name: 'Another' } }), expect: globalOnly(201) },
  { route: 'GET /domains/{domain}/admins', request: async (d) => ({ method: 'GET', path: `/domains/${d}/admins` }), expect: globalOnly(200) },
  { route: 'DELETE /domains/{domain}/admins/{id}', request: async (d) => ({ method: 'DELETE', path: `/domains/${d}/admins/${(await client.admin(d, 'Temp')).id}` }), expect: globalOnly(204) },
];

describe('every admin route × who calls', () => {
  it.each(ROWS.map((row) => [row.route, row] as const))('%s', async (_, row) => {
    const got: Record<string, number> = {};
    for (const column of COLUMNS) {
      const request = await row.request(domainOf(column));
      const answer = await client.call(tokenOf(column), request.method, request.path, request.body);
      got[column] = answer.status;
      if (answer.status >= 400) expect(answer.headers.get('content-type'), `${column}: ${request.path}`).toMatch(/^application\/problem\+json/);
      if (answer.status === 200) row.check?.(column, answer);
    }
    expect(got).toEqual(row.expect);
  }, 60_000);

  it('another domain answers exactly as a domain that does not exist', async () => {
    for (const path of [`/domains/${B}/categories`, `/domains/nowhere.example/categories`]) {
      const foreign = await client.call(own.token, 'GET', path);
      expect(foreign.status).toBe(404);
      expect(foreign.body).toMatchObject({ code: 'not-found', detail: 'no such domain' });
    }
    const job = await client.updateJob(B);
    const [foreign, missing] = await Promise.all([client.call(own.token, 'DELETE', `/update-jobs/${job}`), client.call(own.token, 'DELETE', '/update-jobs/no-such-job')]);
    expect(foreign.body.detail).toBe(missing.body.detail);
    const mac = await client.claimed(B);
    const [phone, noPhone] = await Promise.all([client.call(own.token, 'GET', `/devices/${mac}`), client.call(own.token, 'GET', `/devices/009033ffffff`)]);
    expect(phone.body.detail.replace(mac, '?')).toBe(noPhone.body.detail.replace('009033ffffff', '?'));
  });
});

describe('who acted', () => {
  it('every change records admin:global or admin:<id>, and audit --actor shows it', async () => {
    const mine = await client.call(own.token, 'POST', '/update-jobs', { domain: A, category: 'office', firmware: { ...FIRMWARE, version: 'v10' } });
    expect(mine.status).toBe(201);
    const theirs = await client.updateJob(A);
    const actorOf = async (jobId: string) => (await server.server.storage.events.readStream(`updateJob-${jobId}`)).events[0]?.metadata['actor'];
    expect(await actorOf(mine.body.jobId)).toBe(`admin:${own.id}`);
    expect(await actorOf(theirs)).toBe('admin:global');

    const lines: string[] = [];
    const out = new Writable({ write: (chunk, _e, done) => (lines.push(...String(chunk).split('\n').filter(Boolean)), done()) });
    const saved = { ...process.env };
    Object.assign(process.env, { ZT_DATA_DIR: server.dataDir, ZT_STORE: server.storeUrl });
    try {
      expect(await auditCommand(['--actor', `admin:${own.id}`], out)).toBe(0);
    } finally {
      process.env = saved;
    }
    const events = lines.map((l) => JSON.parse(l) as { type: string; data: { jobId?: string }; metadata: { actor: string } });
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.metadata.actor === `admin:${own.id}`)).toBe(true);
    expect(events.map((e) => e.data.jobId)).toContain(mine.body.jobId);
  });

  it('a token is shown once: the list never holds one, the events hold only its keyed hash', async () => {
    const made = await client.admin(B, 'B IT');
    const list = await client.ok('GET', `/domains/${B}/admins`);
    expect(list).toContainEqual({ id: made.id, name: 'B IT', createdAt: expect.any(String) });
    expect(JSON.stringify(list)).not.toContain(made.token.split('.')[1]);
    const stream = await server.server.storage.events.readStream(`domainAdmin-${made.id}`);
    expect(JSON.stringify(stream.events)).not.toContain(made.token.split('.')[1]);
    expect(stream.events[0]?.data['tokenHash']).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("the Redirector's operator routes", () => {
  it('are 403 for a domain admin, 401 for a revoked one or none', async () => {
    const body = { name: 'x', devicesUrl: 'https://x.example' };
    expect((await client.call(own.token, 'POST', '/redirector/v1/installations', body)).status).toBe(403);
    expect((await client.call(own.token, 'GET', '/redirector/v1/installations')).status).toBe(403);
    expect((await client.call(revoked, 'GET', '/redirector/v1/installations')).status).toBe(401);
    expect((await client.call(undefined, 'GET', '/redirector/v1/installations')).status).toBe(401);
    expect((await client.call(server.config.operatorToken, 'GET', '/redirector/v1/installations')).status).toBe(200);
  });
});

describe('revocation on every node', () => {
  it('a token revoked on one node is refused by the other at once', async () => {
    const db = await createTestDatabase('zt_admins');
    const env = { ZT_SERVER_SECRET: randomBytes(32).toString('base64'), ZT_ADMIN_TOKEN: 'two-node-admin-token-0123456789abcdef', ZT_OPERATOR_TOKEN: 'two-node-operator-token-0123456789ab' };
    const one = await startTestServer({ parts: ['devices'], storeUrl: db.url, env });
    const two = await startTestServer({ parts: ['devices'], storeUrl: db.url, env });
    try {
      const c1 = new AdminClient(one);
      const c2 = new AdminClient(two);
      await c1.domain(A);
      const admin = await c1.admin(A);
      expect((await c2.call(admin.token, 'GET', `/domains/${A}/categories`)).status).toBe(200);
      await c1.ok('DELETE', `/domains/${A}/admins/${admin.id}`, undefined, 204);
      expect((await c2.call(admin.token, 'GET', `/domains/${A}/categories`)).status).toBe(401);
      expect((await c1.call(admin.token, 'GET', `/domains/${A}/categories`)).status).toBe(401);
    } finally {
      await one.close({ keepData: true });
      await two.close({ keepData: true });
      await db.drop();
    }
  }, 60_000);
});
