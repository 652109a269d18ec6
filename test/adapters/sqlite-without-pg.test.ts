/**
 * `serve` on SQLite never loads the PostgreSQL driver: only ZT_STORE=postgres://… brings
 * it in (src/adapters/server/storage.ts imports the PostgreSQL storage dynamically). The
 * server runs as a child process with resolution hooks (test/support/no-pg.mjs) that
 * refuse `pg` and its packages, whether imported or required, and log every package
 * resolved: a static import of pg anywhere on SQLite's path stops the server at start.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, startChildServer, type ChildServer } from '../support/child-server';
import { freePort } from '../support/server';
import { tempDir } from '../support/temp-dir';

describe('serve on SQLite', { timeout: 120_000 }, () => {
  const dir = tempDir('zt-no-pg-');
  let server: ChildServer | undefined;

  afterAll(async () => {
    await server?.stop('SIGKILL');
    dir.remove();
  });

  it('never loads the pg driver, at start or while it serves', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const log = join(dir.path, 'resolved.log');
    const hooks = join(REPO, 'test/support/no-pg.mjs');
    server = await startChildServer(
      url,
      { ...process.env, ZT_DATA_DIR: join(dir.path, 'data'), ZT_HOST: '127.0.0.1', ZT_PORT: String(port), ZT_LOG_LEVEL: 'warn', ZT_TEST_RESOLVE_LOG: log },
      ['--demo'],
      ['--import', hooks],
    );
    const admin = (JSON.parse(readFileSync(join(dir.path, 'data', 'secrets.json'), 'utf8')) as { adminToken: string }).adminToken;
    const auth = { authorization: `Bearer ${admin}` };
    // a little of every part
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/devices/v1/admin/domains`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${url}/users/v1/admin/users`, { headers: auth })).status).toBe(200);
    const init = await fetch(`${url}/redirector/v1/phone/init`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mac: '009033aabbcc', model: 'IP232' }) });
    expect(init.status).toBeLessThan(500);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    expect(await server.stop('SIGTERM')).toBe(0);
    server = undefined;

    expect(existsSync(log)).toBe(true);
    const resolved = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    // the hooks saw the packages the server does load: they would have seen pg
    expect(resolved).toContain('better-sqlite3');
    expect(resolved).toContain('fastify');
    expect(resolved.filter((line) => line.startsWith('refused') || /^pg($|\/|-)/.test(line))).toEqual([]);
  });
});
