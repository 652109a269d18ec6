/**
 * The pieces that keep hostile input harmless at the edge: the nesting scan of raw JSON,
 * the bounded parse of WebSocket messages, error previews and io-ts error lines of any
 * value, the per-client log, and the HTTP kit's JSON parser and client-error answers.
 */
import { connect } from 'node:net';
import fc from 'fast-check';
import * as t from 'io-ts';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonTooDeep, parseBoundedJson, preview } from '../../src/adapters/http/bounded-json';
import { ClientLog } from '../../src/adapters/http/client-log';
import { decodeOrProblem, describeErrors } from '../../src/adapters/http/decode';
import { MetricsRegistry } from '../../src/adapters/http/metrics';
import { HttpProblem } from '../../src/adapters/http/problem';
import { route } from '../../src/adapters/http/route';
import { createHttpServer } from '../../src/adapters/http/server';
import { CapturedLog } from '../support/captured-log';
import { parseExposition } from '../support/exposition';

/** the nesting of a (small) JSON value, the obvious recursive way */
const depthOf = (v: unknown): number =>
  typeof v !== 'object' || v === null ? 0 : 1 + Math.max(0, ...(Array.isArray(v) ? v : Object.values(v)).map(depthOf));

const deepArray = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const deepObject = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

describe('the nesting scan of raw JSON', () => {
  it('agrees with the nesting of any JSON value, whatever its strings hold', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 }), (value, limit) => {
        const text = JSON.stringify(value);
        expect(jsonTooDeep(text, limit)).toBe(depthOf(value) > limit);
      }),
      { numRuns: 2000 },
    );
  });

  it('is not fooled by brackets, quotes and backslashes inside strings', () => {
    expect(jsonTooDeep(JSON.stringify({ a: '[[[[[[[[[[{{{{{{{{{{' }), 2)).toBe(false);
    expect(jsonTooDeep(JSON.stringify({ a: 'x\\"[[[[[[[[[[' }), 2)).toBe(false);
    expect(jsonTooDeep(JSON.stringify(['\\', [[['\\"']]]]), 3)).toBe(true);
    expect(jsonTooDeep(JSON.stringify(['\\', [[['\\"']]]]), 4)).toBe(false);
  });

  it('scans 10,000 levels and 64 KiB without recursion', () => {
    expect(jsonTooDeep(deepArray(10_000), 64)).toBe(true);
    expect(jsonTooDeep(deepObject(10_000), 64)).toBe(true);
    expect(jsonTooDeep(deepArray(32_000), 64)).toBe(true);
    expect(jsonTooDeep(`[${'0,'.repeat(32_000)}0]`, 64)).toBe(false);
    expect(jsonTooDeep(deepArray(64), 64)).toBe(false);
    expect(jsonTooDeep(deepArray(65), 64)).toBe(true);
  });
});

describe('parseBoundedJson (WebSocket messages)', () => {
  it('parses what is within the limit and refuses what is not, before parsing it', () => {
    expect(parseBoundedJson('{"mt":"Login","token":"x"}', 64)).toEqual({ ok: true, value: { mt: 'Login', token: 'x' } });
    expect(parseBoundedJson(`{"mt":"Login","token":${deepArray(5000)}}`, 64)).toMatchObject({ ok: false, reason: 'too-deep' });
    expect(parseBoundedJson('{"mt":', 64)).toMatchObject({ ok: false, reason: 'not-json' });
  });

  it('refuses __proto__ and constructor.prototype keys, also escaped and nested, as fastify does for bodies', () => {
    for (const text of [
      '{"mt":"X","__proto__":{"admin":true}}',
      '{"mt":"X","a":[{"b":{"__proto__":1}}]}',
      '{"mt":"X","\\u005f_proto__":{}}',
      '{"mt":"X","constructor":{"prototype":{"admin":true}}}',
      '{"mt":"X","a":{"c\\u006fnstructor":{"prototype":1}}}',
    ]) {
      expect(parseBoundedJson(text, 64), text).toMatchObject({ ok: false, reason: 'forbidden-key' });
    }
    expect(parseBoundedJson('{"mt":"X","constructor":"fine","proto":1,"text":"__proto__"}', 64)).toMatchObject({ ok: true });
  });
});

describe('previews and io-ts error lines of any value', () => {
  it('writes a short JSON text of deep, wide and huge values without recursion', () => {
    const deep = JSON.parse(deepArray(5000)) as unknown;
    expect(preview(deep)).toBe(`${'['.repeat(57)}...`);
    const wide = Array.from({ length: 100_000 }, (_, i) => i);
    expect(preview(wide)).toBe('[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,...');
    expect(preview('x'.repeat(1_000_000))).toBe(`"${'x'.repeat(56)}...`);
    const manyKeys = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
    expect(preview(manyKeys)).toMatch(/^\{"k0":0,"k1":1,.*\.\.\.$/);
    expect(preview(manyKeys)).toHaveLength(60);
  });

  it('agrees with JSON.stringify on values that fit', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = JSON.stringify(value);
        const shown = preview(value, 10_000);
        if (text.length <= 10_000 && !text.includes('-0')) expect(shown).toBe(text);
      }),
    );
  });

  it('describes errors of 5,000-deep and 100,000-wide values in at most ten short lines', () => {
    const codec = t.type({ mac: t.string, macs: t.array(t.string) });
    const deep = JSON.parse(deepArray(5000)) as unknown;
    const input = { mac: deep, macs: Array.from({ length: 100_000 }, () => 0) };
    const result = codec.decode(input);
    if (result._tag === 'Right') throw new Error('decoded');
    const lines = describeErrors(result.left, 'body');
    expect(lines.length).toBeLessThanOrEqual(10);
    expect(lines[0]).toMatch(/^body\.mac: expected string, got \[{20}/);
    for (const line of lines) expect(line.length).toBeLessThan(200);
    expect(() => decodeOrProblem(codec, input, 'body')).toThrow(HttpProblem);
  });
});

describe('the per-client log', () => {
  it('writes one line per client and minute, counts every occurrence, and says how many it left out', async () => {
    let now = 1_000_000;
    const sink = new CapturedLog();
    const metrics = new MetricsRegistry();
    const log = new ClientLog(sink, metrics, { now: () => now });
    for (let i = 0; i < 1000; i++) log.hostileInput('192.0.2.1', 'json-too-deep', 'deep');
    log.hostileInput('192.0.2.2', 'message-flood', 'flood');
    expect(sink.lines.map((l) => [l.level, l.obj['client']])).toEqual([
      ['warn', '192.0.2.1'],
      ['warn', '192.0.2.2'],
    ]);
    now += 59_999;
    log.hostileInput('192.0.2.1', 'json-too-deep', 'deep');
    expect(sink.lines).toHaveLength(2);
    now += 1;
    log.hostileInput('192.0.2.1', 'too-large', 'big');
    expect(sink.lines.slice(2).map((l) => l.obj)).toEqual([
      { client: '192.0.2.1', suppressedSinceLastLine: 1000 },
      { client: '192.0.2.1', kind: 'too-large', detail: 'big' },
    ]);
    // failures are error lines of their own, under the same bound
    log.failure('192.0.2.1', 'http', new Error('bug'));
    log.failure('192.0.2.1', 'http', new Error('bug'));
    expect(sink.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(sink.lines).toHaveLength(5);
    const exposition = parseExposition(await metrics.render());
    expect(exposition.samples('zt_hostile_input_total').map((s) => [s.labels['kind'], s.value])).toEqual([
      ['json-too-deep', 1001],
      ['message-flood', 1],
      ['too-large', 1],
    ]);
    expect(exposition.value('zt_client_failures_total', { where: 'http' })).toBe(2);
  });

  it('stays bounded with a crowd of addresses: beyond the bound they share one line', () => {
    const sink = new CapturedLog();
    const log = new ClientLog(sink, new MetricsRegistry(), { maxClients: 100, now: () => 5 });
    for (let i = 0; i < 10_000; i++) log.hostileInput(`10.0.${i >> 8}.${i & 255}`, 'too-many-connections', 'x');
    expect(sink.lines).toHaveLength(101);
    expect(sink.lines[100]!.obj['client']).toBe('(other clients)');
  });
});

describe('the HTTP kit with hostile bodies', () => {
  let app: FastifyInstance;
  const sink = new CapturedLog();
  const metrics = new MetricsRegistry();
  let port: number;

  beforeAll(async () => {
    app = await createHttpServer({ logger: false, metrics, readiness: async () => ({ ready: true, checks: {} }), clientLog: new ClientLog(sink, metrics), maxJsonDepth: 16 });
    route(app, { method: 'POST', url: '/kit/v1/things', summary: 'a thing', body: t.type({ name: t.string, tags: t.union([t.unknown, t.undefined]) }) }, async ({ body }) => ({ name: body.name }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  const post = (payload: string, contentType = 'application/json') => app.inject({ method: 'POST', url: '/kit/v1/things', headers: { 'content-type': contentType }, payload });

  it('refuses nesting over the limit with 400, before parsing; at the limit the body is decoded as usual', async () => {
    for (const payload of [deepArray(5000), deepObject(5000), `{"name":"x","tags":${deepArray(17)}}`, `{"name":${deepArray(10_000)}}`]) {
      const res = await post(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation-failed', detail: 'the body nests arrays and objects deeper than 16 levels' });
    }
    expect((await post(`{"name":"x","tags":${deepArray(15)}}`)).json()).toEqual({ name: 'x' });
    expect((await post(`{"name":${deepArray(15)}}`)).json()).toMatchObject({ code: 'validation-failed', detail: expect.stringContaining('body.name') });
  });

  it('keeps fastify’s protection against prototype poisoning, with a clear detail', async () => {
    for (const payload of ['{"name":"x","__proto__":{"admin":true}}', '{"name":"x","constructor":{"prototype":{"admin":true}}}']) {
      const res = await post(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation-failed', detail: expect.stringContaining('__proto__') });
    }
    expect((await post('{"name":')).json()).toMatchObject({ code: 'validation-failed', detail: 'the body is not valid JSON' });
  });

  it('answers text/plain, octet streams and forms 415, invalid UTF-8 as the codec sees it', async () => {
    for (const type of ['text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      expect((await post('{"name":"x"}', type)).statusCode, type).toBe(415);
    }
    const bad = await app.inject({ method: 'POST', url: '/kit/v1/things', headers: { 'content-type': 'application/json' }, payload: Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) });
    expect(bad.statusCode).toBe(200);
    expect(bad.json()).toEqual({ name: '\ufffd\ufffd' });
  });

  it('answers headers over the limit and broken HTTP with a problem, not fastify’s plain JSON', async () => {
    const raw = (request: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.write(request));
        let answer = '';
        socket.on('data', (d) => (answer += d.toString()));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
    const overflow = await raw(`GET /kit/v1/things?${'a=1&'.repeat(5000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(overflow).toMatch(/^HTTP\/1\.1 431 /);
    expect(overflow).toContain('application/problem+json');
    expect(JSON.parse(overflow.slice(overflow.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, code: 'payload-too-large' });
    const broken = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(broken).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(broken.slice(broken.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'validation-failed' });
  });

  it('logged one warning for all of it (one client, one minute), no error, and counted every refusal', async () => {
    expect(sink.lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(sink.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    const exposition = parseExposition(await metrics.render());
    expect(exposition.samples('zt_hostile_input_total').map((s) => [s.labels['kind'], s.value])).toEqual([
      ['json-too-deep', 4],
      ['forbidden-key', 2],
    ]);
    expect(exposition.samples('zt_client_failures_total')).toEqual([]);
  });
});
