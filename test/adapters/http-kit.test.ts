import * as t from 'io-ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../src/application/refusal';
import { MetricsRegistry } from '../../src/adapters/http/metrics';
import { HttpProblem } from '../../src/adapters/http/problem';
import { authorizationToken, route, unauthorized } from '../../src/adapters/http/route';
import { createHttpServer } from '../../src/adapters/http/server';
import { parseExposition } from '../support/exposition';

describe('the HTTP kit every part uses', () => {
  let app: FastifyInstance;
  let ready = true;
  const metrics = new MetricsRegistry();

  beforeAll(async () => {
    app = await createHttpServer({
      logger: false,
      metrics,
      readiness: async () => ({ ready, checks: { store: { ok: ready, detail: ready ? undefined : 'store down' } } }),
    });
    await app.register(
      async (scope) => {
        route(
          scope,
          {
            method: 'POST',
            url: '/things/:id',
            summary: 'make a thing',
            security: 'bearer',
            auth: (request) => {
              if (authorizationToken(request, 'Bearer') !== 'secret') throw unauthorized();
              return { who: 'admin' };
            },
            params: t.type({ id: t.string }),
            body: t.type({ name: t.string, size: t.union([t.number, t.undefined]) }),
            responses: { 201: { description: 'made', schema: t.type({ id: t.string, name: t.string, by: t.string }) } },
          },
          async ({ body, params, principal, reply }) => {
            if (body.name === 'taken') throw new HttpProblem('conflict', 'that name is taken');
            if (body.name === 'boom') throw new Error('unexpected');
            if (body.name === 'owned') throw new Refusal('device-owned-by-other-domain', 'owned elsewhere', { extensions: { macs: ['009033aabbcc'] } });
            if (body.name === 'hasty') throw new Refusal('rate-limited', 'slow down', { retryAfterSeconds: 7 });
            reply.code(201);
            return { id: params.id, name: body.name, by: principal.who };
          },
        );
      },
      { prefix: '/kit/v1' },
    );
    await app.ready();
  });
  afterAll(() => app.close());

  /** the 201 answers so far, which /metrics must count exactly */
  let created = 0;
  const post = async (body: unknown, headers: Record<string, string> = { authorization: 'Bearer secret' }) => {
    const res = await app.inject({ method: 'POST', url: '/kit/v1/things/a1', headers: { 'content-type': 'application/json', ...headers }, payload: typeof body === 'string' ? body : JSON.stringify(body) });
    if (res.statusCode === 201) created++;
    return res;
  };

  it('decodes and answers a good request', async () => {
    const res = await post({ name: 'lamp' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ id: 'a1', name: 'lamp', by: 'admin' });
  });

  it('checks the token before the body: a bad token is 401 whatever the body', async () => {
    for (const body of [{ name: 'lamp' }, '{not json', 'x'.repeat(70_000)]) {
      const res = await post(body, { authorization: 'Bearer wrong' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 401, code: 'unauthorized', type: expect.stringContaining('unauthorized') });
    }
  });

  it('answers bad input with a clear validation-failed problem', async () => {
    const res = await post({ name: 42, size: 'big' });
    expect(res.statusCode).toBe(400);
    const problem = res.json();
    expect(problem).toMatchObject({ code: 'validation-failed', status: 400, title: expect.any(String) });
    expect(problem.detail).toContain('body.name');
    expect(problem.detail).toContain('body.size');
    expect((await post('{not json')).json()).toMatchObject({ status: 400, code: 'validation-failed' });
    expect((await post('')).json()).toMatchObject({ status: 400, code: 'validation-failed' });
  });

  it('refuses bodies over 64 KiB with 413 and other media types with 415', async () => {
    const big = await post({ name: 'x'.repeat(70_000) });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toMatchObject({ code: 'payload-too-large' });
    const xml = await app.inject({ method: 'POST', url: '/kit/v1/things/a1', headers: { authorization: 'Bearer secret', 'content-type': 'application/xml' }, payload: '<a/>' });
    expect(xml.statusCode).toBe(415);
    expect(xml.json()).toMatchObject({ code: 'unsupported-media-type' });
  });

  it('answers domain refusals, unknown routes and failures as problems, and keeps running', async () => {
    expect((await post({ name: 'taken' })).json()).toMatchObject({ status: 409, code: 'conflict', detail: 'that name is taken' });
    const missing = await app.inject({ method: 'GET', url: '/kit/v1/nothing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'not-found' });
    const boom = await post({ name: 'boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.json()).toMatchObject({ code: 'internal-error' });
    expect(boom.body).not.toContain('unexpected');
    expect((await post({ name: 'lamp' })).statusCode).toBe(201);
  });

  it("answers a handler's Refusal from the one table: status, title, Retry-After, extension members", async () => {
    const owned = await post({ name: 'owned' });
    expect(owned.statusCode).toBe(409);
    expect(owned.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(owned.json()).toEqual({
      type: 'https://zerotouch.dev/problems/device-owned-by-other-domain',
      title: 'The device belongs to another domain',
      status: 409,
      detail: 'owned elsewhere',
      code: 'device-owned-by-other-domain',
      instance: '/kit/v1/things/a1',
      macs: ['009033aabbcc'],
    });
    const hasty = await post({ name: 'hasty' });
    expect(hasty.statusCode).toBe(429);
    expect(hasty.headers['retry-after']).toBe('7');
    expect(hasty.json()).toEqual({ type: 'https://zerotouch.dev/problems/rate-limited', title: 'Too many attempts', status: 429, detail: 'slow down', code: 'rate-limited', instance: '/kit/v1/things/a1' });
  });

  it('serves healthz, readyz, metrics and an OpenAPI document with full paths', async () => {
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await app.inject('/readyz')).statusCode).toBe(200);
    ready = false;
    const notReady = await app.inject('/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ code: 'unavailable', detail: expect.stringContaining('store down') });
    ready = true;
    const metricsText = (await app.inject('/metrics')).body;
    expect(metricsText).toContain('# TYPE zt_http_request_duration_seconds histogram');
    expect(parseExposition(metricsText).value('zt_http_request_duration_seconds_count', { method: 'POST', route: '/kit/v1/things/:id', status: '201' })).toBe(created);
    const doc = (await app.inject('/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/kit/v1/things/{id}', '/healthz', '/readyz', '/metrics', '/openapi.json']));
    const op = doc.paths['/kit/v1/things/{id}'].post;
    expect(op.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['name'], properties: { name: { type: 'string' } } });
    expect(op.security).toEqual([{ bearer: [] }]);
  });
});
