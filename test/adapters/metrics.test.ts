/**
 * GET /metrics over a real socket, read with a strict parser of the exposition format:
 * after a known sequence of requests every request-latency series holds exactly what was
 * sent, the process's default metrics are there, and two servers in one process count
 * apart.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../src/adapters/http/metrics';
import { HttpProblem } from '../../src/adapters/http/problem';
import { createHttpServer } from '../../src/adapters/http/server';
import { parseExposition, type Exposition } from '../support/exposition';

const DURATION = 'zt_http_request_duration_seconds';

async function server(metrics: MetricsRegistry): Promise<{ app: FastifyInstance; url: string }> {
  const app = await createHttpServer({ logger: false, metrics, readiness: async () => ({ ready: true, checks: {} }) });
  app.get('/things/:id', async (request) => {
    const { id } = request.params as { id: string };
    if (id === 'missing') throw new HttpProblem('not-found', 'no such thing');
    if (id === 'boom') throw new Error('a bug');
    return { id };
  });
  app.post('/things', async (_request, reply) => reply.code(201).send({ made: true }));
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: address };
}

const scrape = async (url: string): Promise<{ contentType: string | null; exposition: Exposition }> => {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  return { contentType: response.headers.get('content-type'), exposition: parseExposition(await response.text()) };
};

describe('GET /metrics', () => {
  const metrics = new MetricsRegistry();
  const other = new MetricsRegistry();
  let one: { app: FastifyInstance; url: string };
  let two: { app: FastifyInstance; url: string };

  beforeAll(async () => {
    one = await server(metrics);
    two = await server(other);
  });
  afterAll(async () => {
    await one.app.close();
    await two.app.close();
  });

  it('counts exactly the requests sent, by method, route and status', async () => {
    const send = (path: string, init?: RequestInit) => fetch(`${one.url}${path}`, init).then((r) => r.arrayBuffer().then(() => r.status));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push(await send('/things/a'));
    for (let i = 0; i < 2; i++) statuses.push(await send('/things/missing'));
    statuses.push(await send('/things/boom'));
    statuses.push(await send('/things', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' }));
    for (let i = 0; i < 4; i++) statuses.push(await send('/things', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    statuses.push(await send('/nowhere'));
    expect(statuses).toEqual([200, 200, 200, 404, 404, 500, 400, 201, 201, 201, 201, 404]);

    const first = await scrape(one.url);
    expect(first.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const counts = (e: Exposition) => e.samples(`${DURATION}_count`).map((s) => [s.labels['method'], s.labels['route'], s.labels['status'], s.value]);
    expect(counts(first.exposition)).toEqual([
      ['GET', '/things/:id', '200', 3],
      ['GET', '/things/:id', '404', 2],
      ['GET', '/things/:id', '500', 1],
      ['POST', '/things', '400', 1],
      ['POST', '/things', '201', 4],
      ['GET', 'unmatched', '404', 1],
    ]);
    expect(first.exposition.families.get(DURATION)?.type).toBe('histogram');
    const buckets = first.exposition.samples(`${DURATION}_bucket`).filter((s) => s.labels['status'] === '200');
    expect(buckets.map((s) => s.labels['le'])).toEqual(['0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf']);
    expect(first.exposition.value('zt_client_failures_total', { where: 'http' })).toBe(1);

    // the first scrape is counted in the second, and nothing else changed
    const second = await scrape(one.url);
    expect(second.exposition.value(`${DURATION}_count`, { method: 'GET', route: '/metrics', status: '200' })).toBe(1);
    expect(counts(second.exposition).filter(([, route]) => route !== '/metrics')).toEqual(counts(first.exposition));
  });

  it("holds the process's default metrics: CPU, memory, heap, GC and event-loop lag", async () => {
    const { exposition } = await scrape(one.url);
    const types = Object.fromEntries([...exposition.families.values()].map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      process_cpu_seconds_total: 'counter',
      process_resident_memory_bytes: 'gauge',
      nodejs_heap_size_used_bytes: 'gauge',
      nodejs_heap_size_total_bytes: 'gauge',
      nodejs_eventloop_lag_seconds: 'gauge',
      nodejs_eventloop_lag_p99_seconds: 'gauge',
      nodejs_gc_duration_seconds: 'histogram',
    });
    expect(exposition.value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(exposition.value('process_resident_memory_bytes')).toBeGreaterThan(1024 * 1024);
    expect(Number.isFinite(exposition.value('nodejs_eventloop_lag_seconds'))).toBe(true);
  });

  it('keeps two servers of one process apart: each counts its own requests', async () => {
    await fetch(`${two.url}/things/b`).then((r) => r.arrayBuffer());
    const { exposition } = await scrape(two.url);
    expect(exposition.samples(`${DURATION}_count`).map((s) => [s.labels['route'], s.labels['status'], s.value])).toEqual([['/things/:id', '200', 1]]);
    expect(exposition.samples('zt_client_failures_total')).toEqual([]);
    expect(exposition.families.has('nodejs_gc_duration_seconds')).toBe(true);
  });

  it('refuses an exposition that breaks the format', () => {
    const good = '# HELP a_total a\n# TYPE a_total counter\na_total{k="v"} 1\n';
    expect(parseExposition(good).value('a_total', { k: 'v' })).toBe(1);
    expect(() => parseExposition(good.replace('\n# TYPE a_total counter', ''))).toThrow(/no TYPE/);
    expect(() => parseExposition(`${good}a_total{k="v"} 2\n`)).toThrow(/twice/);
    expect(() => parseExposition(good.replace('"v"', 'v'))).toThrow(/not quoted/);
    expect(() => parseExposition(good.replace(' 1\n', ' one\n'))).toThrow(/not a sample value/);
    expect(() => parseExposition('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n')).toThrow(/cumulative/);
    expect(() => parseExposition(good).value('a_total')).toThrow(/no series/);
  });
});
