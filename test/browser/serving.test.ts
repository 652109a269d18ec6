/**
 * How the server serves the built web apps: pages with their security and caching
 * headers, hashed assets cached for a year, only the pages of the parts that run, bad
 * paths answered as problems, and a clear 503 when the apps are not built.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../src/adapters/http/metrics';
import { createHttpServer } from '../../src/adapters/http/server';
import { webRoutes } from '../../src/adapters/web/routes';
import { startTestServer, type TestServer } from '../support/server';
import { ensureWebBuilt } from './support';

describe('the web apps, served', () => {
  let all: TestServer;

  beforeAll(async () => {
    await ensureWebBuilt();
    all = await startTestServer({ store: 'memory' });
  });
  afterAll(async () => {
    await all?.close();
  });

  it('serves each page with no-cache, an ETag and a content security policy, and answers 304 to a repeat', async () => {
    for (const path of ['/apps/', '/apps', '/apps/profile', '/apps/profile/', '/apps/users-admin', '/apps/devices/']) {
      const res = await fetch(`${all.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control'), path).toBe('no-cache');
      expect(res.headers.get('content-security-policy'), path).toContain("script-src 'self'");
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      const etag = res.headers.get('etag')!;
      expect(etag, path).toMatch(/^W\/"/);
      expect((await fetch(`${all.url}${path}`, { headers: { 'if-none-match': etag } })).status, path).toBe(304);
    }
  });

  it('serves the hashed assets a page names, cached for a year', async () => {
    const html = await (await fetch(`${all.url}/apps/profile`)).text();
    const assets = [...html.matchAll(/(?:src|href)="(\/apps\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    expect(assets.some((a) => a.endsWith('.css'))).toBe(true);
    for (const asset of assets) {
      const res = await fetch(`${all.url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('cache-control'), asset).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type'), asset).toBe(asset.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8');
    }
  });

  it('answers unknown pages and assets, and paths out of the build, with a 404 problem', async () => {
    for (const path of ['/apps/nope', '/apps/assets/nope.js', '/apps/assets/..%2F..%2Fpackage.json', '/apps/assets/.built', '/apps/assets/x.exe', '/apps/profile/index.html']) {
      const res = await fetch(`${all.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/problem\+json/);
      expect(await res.json(), path).toMatchObject({ status: 404, code: 'not-found' });
    }
  });

  it('lists the pages in the OpenAPI document', async () => {
    const paths = Object.keys(((await (await fetch(`${all.url}/openapi.json`)).json()) as { paths: object }).paths);
    expect(paths).toEqual(expect.arrayContaining(['/apps/profile', '/apps/users-admin', '/apps/devices', '/apps/assets/{file}']));
  });

  it('serves only the pages of the parts a process runs', async () => {
    const devices = await startTestServer({ parts: ['devices'], store: 'memory' });
    const redirector = await startTestServer({ parts: ['redirector'], store: 'memory' });
    try {
      expect((await fetch(`${devices.url}/apps/devices`)).status).toBe(200);
      expect((await fetch(`${devices.url}/apps/profile`)).status).toBe(404);
      expect((await fetch(`${devices.url}/apps/users-admin`)).status).toBe(404);
      expect((await fetch(`${redirector.url}/apps/`)).status).toBe(404);
    } finally {
      await devices.close();
      await redirector.close();
    }
  });

  it('answers 503 with what to do when the apps are not built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'zt-web-'));
    const app = await createHttpServer({ metrics: new MetricsRegistry(), readiness: async () => ({ ready: true, checks: {} }) });
    await app.register(webRoutes({ pages: ['profile', 'devices'], root: empty }));
    try {
      for (const url of ['/apps/', '/apps/profile', '/apps/devices/', '/apps/assets/profile-abc.js', '/apps/assets/..%2Fx']) {
        const res = await app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(503);
        expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/);
        expect(res.json(), url).toMatchObject({ status: 503, code: 'unavailable', detail: expect.stringContaining('npm run build:web') });
      }
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
