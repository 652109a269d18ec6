/**
 * The OpenAPI document against the code: a real server with the demo data (all parts,
 * SQLite), its own `/openapi.json`, and for every operation requests generated from the
 * document with fast-check — valid and invalid path parameters, query parameters and
 * bodies (built from the request schemas, then some mutated), with the right credential,
 * a wrong one or none. Every answer is checked against the document with ajv: no 5xx, no
 * status the operation does not document, no content type it does not list, no body its
 * schema refuses. All failures are reported together, each with its request and answer.
 *
 * A fixed seed (FUZZ_SEED, default below) keeps CI repeatable; FUZZ_RUNS (requests per
 * operation) runs longer locally. Destructive operations (DELETE, release, key rotation)
 * run last, so the data the others need is still there while they run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server';
import { TestSocket } from '../support/ws-client';
import { arbitraryOf, mutations, type Schema } from './openapi-arbitraries';

const ADMIN = 'openapi-fuzz-admin-token-0123456789abcdef';
const OPERATOR = 'openapi-fuzz-operator-token-0123456789ab';
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 24);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_261_206);
/** print every request and answer of the operations whose `METHOD /path` contains this */
const TRACE = process.env['FUZZ_TRACE'];
const FUZZ_DEVICES_URL = 'https://fuzz.example.net/devices';

interface Parameter {
  readonly in: string;
  readonly name: string;
  readonly required?: boolean;
  readonly schema: Schema;
}
interface Content {
  readonly schema?: Schema;
}
interface OperationDoc {
  readonly security?: ReadonlyArray<Record<string, unknown>>;
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content: Record<string, Content> };
  readonly responses: Record<string, { readonly content?: Record<string, Content> }>;
}
interface Operation {
  readonly method: string;
  readonly path: string;
  readonly doc: OperationDoc;
  readonly security: string | undefined;
}

type Credential = 'right' | 'wrong' | 'none';
interface Request {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly note: string;
}

let server: TestServer;
let operations: Operation[];
let apiKey: string;
let device: { deviceId: string; deviceSecret: string };
/** what disagreed with the document: by operation and kind, the first example of each and how often */
const failures = new Map<string, { example: string; count: number }>();
let sent = 0;
/** the statuses each operation answered, to see how far the requests got */
const answered = new Map<string, Map<number, number>>();

/** values that exist on the server, so that a share of the requests gets past the lookups */
const pools: Record<string, string[]> = {
  domain: ['example.com'],
  name: ['example.com', 'Fuzz name'],
  category: ['office', 'lab'],
  id: ['alice', 'bob'],
  user: ['alice', 'carol'],
  mac: [],
  code: [],
  devicesUrl: [FUZZ_DEVICES_URL, `${FUZZ_DEVICES_URL}/a`],
  type: ['sip', 'time'],
  after: ['alice'],
};

/** pool values that depend on the operation: the ids of installations, jobs, rollouts */
const pathPools: Array<{ readonly match: RegExp; readonly name: string; readonly values: string[] }> = [];

const credentialFor = (op: Operation, credential: Credential): Record<string, string> => {
  if (op.security === undefined || credential === 'none') return {};
  if (credential === 'wrong') return { authorization: op.security === 'device' ? `Device ${device.deviceId}:${'0'.repeat(43)}` : 'Bearer wrong-token-0123456789' };
  if (op.security === 'device') return { authorization: `Device ${device.deviceId}:${device.deviceSecret}` };
  if (op.path.startsWith('/redirector/v1/installations')) return { authorization: `Bearer ${OPERATOR}` };
  if (op.path.startsWith('/redirector/v1/')) return { authorization: `Bearer ${apiKey}` };
  if (op.path.startsWith('/devices/v1/admin') || op.path.startsWith('/users/v1/admin')) return { authorization: `Bearer ${ADMIN}` };
  throw new Error(`no credential known for ${op.security} on ${op.method} ${op.path}: add it to credentialFor`);
};

const poolFor = (op: Operation, name: string): readonly string[] =>
  pathPools.find((p) => p.name === name && p.match.test(op.path))?.values ?? pools[name] ?? [];

/** one value of a named parameter or field: a known one, or one the schema allows */
const valueOf = (op: Operation, name: string, schema: Schema): fc.Arbitrary<unknown> => {
  const known = poolFor(op, name);
  return known.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: arbitraryOf(schema) }) : arbitraryOf(schema);
};

/** a body from the request schema, with known values for fields the pools name */
const bodyOf = (op: Operation, schema: Schema): fc.Arbitrary<unknown> =>
  arbitraryOf(schema, (name, fieldSchema) => (poolFor(op, name).length > 0 ? valueOf(op, name, fieldSchema) : undefined));

function requestArbitrary(op: Operation): fc.Arbitrary<Request> {
  const parameters = op.doc.parameters ?? [];
  const pathParams = parameters.filter((p) => p.in === 'path');
  const queryParams = parameters.filter((p) => p.in === 'query');
  const json = op.doc.requestBody?.content['application/json']?.schema;
  const csv = op.doc.requestBody?.content['text/csv'];
  const takesBody = !['GET', 'HEAD'].includes(op.method);

  const pathValue = (p: Parameter): fc.Arbitrary<string> =>
    fc.oneof(
      { weight: 4, arbitrary: valueOf(op, p.name, p.schema).map((v) => encodeURIComponent(String(v))) },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }).filter((s) => s.length > 0).map(encodeURIComponent) },
      { weight: 1, arbitrary: fc.constantFrom('%zz', 'x'.repeat(101), '%ff%fe', '..%2F..%2Fetc', '0', '-1') },
    );
  const queryValue = (p: Parameter): fc.Arbitrary<[string, string] | undefined> =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 4, arbitrary: valueOf(op, p.name, p.schema).map((v): [string, string] => [p.name, String(v)]) },
      { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('0', '-1', '1.5', '99999999', 'true', '%zz')).map((v): [string, string] => [p.name, v]) },
    );
  const body: fc.Arbitrary<{ text?: string; type?: string; note: string }> = !takesBody
    ? fc.constant({ note: '' })
    : csv
      ? fc.oneof(
          fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.string({ maxLength: 10 }), fc.option(fc.emailAddress(), { nil: '' })), { maxLength: 4 }).map((rows) => ({
            text: rows.map((r) => r.map((f) => `"${f.replace(/"/g, '""')}"`).join(',')).join('\n'),
            type: 'text/csv',
            note: 'csv',
          })),
          fc.string({ maxLength: 40 }).map((text) => ({ text, type: 'text/csv', note: 'random text as csv' })),
          fc.constant({ text: '{"id":"x"}', type: 'application/json', note: 'json instead of csv' }),
        )
      : json
        ? fc.oneof(
            { weight: 5, arbitrary: bodyOf(op, json).map((v) => ({ text: JSON.stringify(v), type: 'application/json', note: 'from the schema' })) },
            { weight: 3, arbitrary: fc.tuple(bodyOf(op, json), mutations).map(([v, m]) => ({ text: JSON.stringify(m.apply(v)), type: 'application/json', note: m.label })) },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                { text: '{"a":', type: 'application/json', note: 'broken JSON' },
                { text: 'a=1', type: 'application/x-www-form-urlencoded', note: 'a form' },
                { text: '', type: 'application/json', note: 'empty JSON' },
              ),
            },
          )
        : fc.oneof(fc.constant({ note: 'no body' }), fc.constant({ text: '{}', type: 'application/json', note: 'an empty object' }));
  const credential: fc.Arbitrary<Credential> = op.security === undefined ? fc.constant('none') : fc.oneof({ weight: 6, arbitrary: fc.constant('right' as const) }, { weight: 1, arbitrary: fc.constantFrom('wrong' as const, 'none' as const) });

  return fc.record({ path: fc.tuple(...pathParams.map(pathValue)), query: fc.tuple(...queryParams.map(queryValue)), body, credential }).map(({ path, query, body: b, credential: c }) => {
    let i = 0;
    const url = op.path.replace(/\{(\w+)\}/g, () => path[i++] ?? 'x');
    const search = query.filter((q): q is [string, string] => q !== undefined).map(([k, v]) => `${encodeURIComponent(k)}=${v === '%zz' ? v : encodeURIComponent(v)}`);
    return {
      method: op.method,
      url: search.length > 0 ? `${url}?${search.join('&')}` : url,
      headers: { ...credentialFor(op, c), ...(b.type ? { 'content-type': b.type } : {}) },
      ...(b.text !== undefined ? { body: b.text } : {}),
      note: [`credential ${c}`, b.note].filter(Boolean).join(', '),
    };
  });
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const validators = new Map<Schema, ValidateFunction>();
const validatorOf = (schema: Schema): ValidateFunction => {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
};

/** routes whose 503 says the web apps are not built, not that something failed */
const webNotBuilt = (op: Operation, status: number, body: string): boolean => status === 503 && op.path.startsWith('/apps') && body.includes('not built');

async function send(op: Operation, request: Request): Promise<void> {
  sent++;
  const res = await fetch(`${server.url}${request.url}`, { method: request.method, headers: request.headers, ...(request.body !== undefined ? { body: request.body } : {}) });
  const text = await res.text();
  const statuses = answered.get(`${op.method} ${op.path}`) ?? new Map<number, number>();
  answered.set(`${op.method} ${op.path}`, statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1));
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const fail = (what: string): void => {
    const key = `${op.method} ${op.path}: ${what.replace(/: .*/s, '')}`;
    const seen = failures.get(key);
    if (seen) seen.count++;
    else
      failures.set(key, {
        count: 1,
        example: `${op.method} ${op.path}: ${what}\n    request: ${request.method} ${request.url.slice(0, 200)} (${request.note})${request.body !== undefined ? ` body ${request.body.slice(0, 300)}` : ''}\n    answer: ${res.status} ${type} ${text.slice(0, 400)}`,
      });
  };
  if (TRACE && `${op.method} ${op.path}`.includes(TRACE)) console.log(`${request.method} ${request.url} (${request.note}) ${request.body?.slice(0, 300) ?? ''}\n  -> ${res.status} ${text.slice(0, 300)}`);
  if (webNotBuilt(op, res.status, text)) return;
  if (res.status >= 500) fail(`a ${res.status}`);
  const documented = op.doc.responses[String(res.status)];
  if (!documented) return fail(`status ${res.status} is not documented (documented: ${Object.keys(op.doc.responses).join(', ')})`);
  const contents = documented.content ?? {};
  if (Object.keys(contents).length === 0) {
    if (text.length > 0 && res.status !== 304) fail(`a body where the document says there is none`);
    return;
  }
  const content = contents[type];
  if (!content) return fail(`content type ${type || 'none'} is not documented for ${res.status} (documented: ${Object.keys(contents).join(', ')})`);
  if (!content.schema || !/json$/.test(type)) return;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail('the body is not JSON');
  }
  const validate = validatorOf(content.schema);
  if (!validate(value)) fail(`the body does not match its schema: ${ajv.errorsText(validate.errors, { dataVar: 'body' }).slice(0, 400)}`);
}

/** destructive operations last: what they delete, rotate or release the others still need */
const rank = (op: Operation): number => {
  if (/\/release$|\/api-key$/.test(op.path)) return 3;
  if (op.method === 'DELETE') return 2;
  if (op.method === 'GET') return 0;
  return 1;
};

async function json<T>(method: string, path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

describe('the OpenAPI document is true to the code', { timeout: 300_000 }, () => {
  beforeAll(async () => {
    server = await startTestServer({ demo: true, env: { ZT_ADMIN_TOKEN: ADMIN, ZT_OPERATOR_TOKEN: OPERATOR } });

    // an installation of its own, so that rotating its key spares the one Devices uses
    const registered = await json<{ installationId: string; apiKey: string }>('POST', '/redirector/v1/installations', OPERATOR, { name: 'Fuzz', devicesUrl: FUZZ_DEVICES_URL });
    expect(registered.status).toBe(201);
    apiKey = registered.body.apiKey;
    pathPools.push({ match: /^\/redirector\/v1\/installations/, name: 'id', values: [registered.body.installationId] });
    const issued = await json<{ codes: Array<{ code: string }> }>('POST', '/redirector/v1/codes/batch', apiKey, { devicesUrl: FUZZ_DEVICES_URL, count: 5 });
    expect(issued.status).toBe(201);
    pools['code']!.push(...issued.body.codes.map((c) => c.code));

    // a provisioned phone, for the routes that take a device credential
    const secrets = JSON.parse(readFileSync(join(server.dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
    const profile = await TestSocket.connect(`${server.wsUrl}/users/v1/profile`);
    expect(await profile.request({ mt: 'Login', token: server.server.demo!.userTokens['alice'] ?? secrets['demoToken:alice'] })).toMatchObject({ ok: true });
    const added = await profile.request({ mt: 'AddPhone', category: 'office' });
    profile.close();
    const phone = { code: String(added['code']), mac: '009033aa0001', model: 'IP112', firmware: '13r1 sr1', bootcode: '13r1', localIp: '192.0.2.10' };
    expect((await json('POST', '/redirector/v1/phone/redeem', undefined, phone)).status).toBe(200);
    const provisioned = await json<{ deviceId: string; deviceSecret: string }>('POST', '/devices/v1/phone/provision', undefined, phone);
    expect(provisioned.status).toBe(200);
    device = provisioned.body;
    pools['mac']!.push(phone.mac, '00:90:33:bb:00:01', '009033bb0002');

    const jobs = await json<Array<{ jobId: string }>>('GET', '/devices/v1/admin/update-jobs?domain=example.com', ADMIN);
    const configJobs = await json<Array<{ jobId: string }>>('GET', '/devices/v1/admin/config-jobs?domain=example.com', ADMIN);
    pathPools.push({ match: /^\/devices\/v1\/admin\/update-jobs/, name: 'id', values: jobs.body.map((j) => j.jobId) });
    pathPools.push({ match: /^\/devices\/v1\/admin\/config-jobs/, name: 'id', values: configJobs.body.map((j) => j.jobId) });
    pools['jobId'] = jobs.body.map((j) => j.jobId);

    const doc = (await json<{ paths: Record<string, Record<string, OperationDoc>> }>('GET', '/openapi.json', undefined)).body;
    operations = Object.entries(doc.paths)
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]): Operation => ({ method: method.toUpperCase(), path, doc: op, security: op.security?.[0] ? Object.keys(op.security[0])[0] : undefined })),
      )
      .sort((a, b) => rank(a) - rank(b));
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it('every operation answers what the document says, for generated requests', async () => {
    expect(operations.length).toBeGreaterThan(40);
    let index = 0;
    for (const op of operations) {
      const requests = fc.sample(requestArbitrary(op), { seed: SEED + index++, numRuns: RUNS });
      for (const request of requests) await send(op, request);
    }
    const succeeded = [...answered].filter(([, statuses]) => [...statuses.keys()].some((s) => s < 300));
    const never = [...answered].filter(([, statuses]) => ![...statuses.keys()].some((s) => s < 300)).map(([op, statuses]) => `${op} (${[...statuses].map(([s, n]) => `${s}×${n}`).join(' ')})`);
    console.log(`OpenAPI fuzz: ${succeeded.length} operations succeeded at least once; never: ${never.join('; ') || 'none'}`);
    const total = [...failures.values()].reduce((n, f) => n + f.count, 0);
    console.log(`OpenAPI fuzz: ${operations.length} operations, ${sent} requests (FUZZ_RUNS=${RUNS}, FUZZ_SEED=${SEED}), ${total} answers disagree with the document`);
    const report = [...failures.values()].map((f) => `${f.example}\n    (${f.count} such answer${f.count === 1 ? '' : 's'})`).join('\n');
    expect(total, `${total} of ${sent} answers disagree with the document:\n${report}`).toBe(0);
  });
});
