/**
 * SPEC §9, "Several nodes": a node started with a ZT_SERVER_SECRET that differs from the
 * one the store was set up with refuses to start, says so, exits non-zero and writes
 * nothing. `zerotouch serve --demo` as an operator runs it (a child process): a first node
 * sets the store up with one secret and stops; a second, with another secret, is refused;
 * every zt_ table is the same before and after, row for row.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MAIN, REPO, startChildServer } from '../support/child-server';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { freePort } from '../support/server';
import { tempDir } from '../support/temp-dir';

const newSecret = (): string => randomBytes(32).toString('base64');

interface Refusal {
  readonly code: number | null;
  readonly output: string;
  /** whether /readyz ever answered while it ran */
  readonly listened: boolean;
}

/** `serve --demo` run to its end (it must end by itself within the time allowed) */
async function runServeToExit(env: NodeJS.ProcessEnv, url: string): Promise<Refusal> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--demo'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let listened = false;
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  while (child.exitCode === null && child.signalCode === null) {
    if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) listened = true;
    await new Promise((r) => setTimeout(r, 100));
  }
  const code = await exited;
  clearTimeout(timer);
  return { code, output, listened };
}

const baseEnv = (dataDir: string, port: number): NodeJS.ProcessEnv => ({
  ...process.env,
  ZT_DATA_DIR: dataDir,
  ZT_HOST: '127.0.0.1',
  ZT_PORT: String(port),
  ZT_LOG_LEVEL: 'info',
});

function expectRefusal(refusal: Refusal): void {
  expect(refusal.code, refusal.output).not.toBe(0);
  expect(refusal.code, refusal.output).not.toBeNull();
  expect(refusal.output).toMatch(/ZT_SERVER_SECRET differs from the one this store was set up with/);
  expect(refusal.output).toMatch(/wrote nothing/);
  expect(refusal.listened).toBe(false);
}

describe('a node whose ZT_SERVER_SECRET differs from the store’s refuses to start and writes nothing', { timeout: 240_000 }, () => {
  const dirs: Array<{ remove(): void }> = [];
  let db: TestDatabase | undefined;

  afterAll(async () => {
    await db?.drop();
    for (const d of dirs) d.remove();
  });

  it('on PostgreSQL', async () => {
    db = await createTestDatabase();
    const first = tempDir('zt-secret-a-');
    const second = tempDir('zt-secret-b-');
    dirs.push(first, second);
    const secret = newSecret();
    const shared = { ZT_STORE: db.url, ZT_ADMIN_TOKEN: 'admin-token-of-both-nodes-0123456789', ZT_OPERATOR_TOKEN: 'operator-token-of-both-nodes-012345' };

    const port1 = await freePort();
    const url1 = `http://127.0.0.1:${port1}`;
    const node1 = await startChildServer(url1, { ...baseEnv(first.path, port1), ...shared, ZT_PUBLIC_URL: url1, ZT_SERVER_SECRET: secret });
    expect(await node1.stop('SIGTERM')).toBe(0);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      /** every zt_ table of the database: its rows counted and digested */
      const snapshot = async (): Promise<Record<string, { rows: number; digest: string | null }>> => {
        const tables = await client.query<{ name: string }>(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'zt\\_%' ORDER BY table_name",
        );
        const out: Record<string, { rows: number; digest: string | null }> = {};
        for (const { name } of tables.rows) {
          const r = await client.query<{ rows: string; digest: string | null }>(`SELECT count(*) AS rows, md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM public.${name} t`);
          out[name] = { rows: Number(r.rows[0]!.rows), digest: r.rows[0]!.digest };
        }
        return out;
      };
      const before = await snapshot();
      // the first node set the store up: events, the fingerprint, read models
      expect(before['zt_events']?.rows).toBeGreaterThan(0);
      expect(before['zt_setup']?.rows).toBe(1);
      expect(before['zt_projections']?.rows).toBeGreaterThan(0);

      const port2 = await freePort();
      const url2 = `http://127.0.0.1:${port2}`;
      const refusal = await runServeToExit({ ...baseEnv(second.path, port2), ...shared, ZT_PUBLIC_URL: url2, ZT_SERVER_SECRET: newSecret() }, url2);
      expectRefusal(refusal);
      expect(await snapshot()).toEqual(before);
      // and nothing of it is left connected
      const sessions = await client.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      expect(Number(sessions.rows[0]!.n)).toBe(0);

      // the right secret still starts, on a node of its own
      const port3 = await freePort();
      const url3 = `http://127.0.0.1:${port3}`;
      const third = tempDir('zt-secret-c-');
      dirs.push(third);
      const node3 = await startChildServer(url3, { ...baseEnv(third.path, port3), ...shared, ZT_PUBLIC_URL: url3, ZT_SERVER_SECRET: secret });
      expect(await node3.stop('SIGTERM')).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('on a SQLite data dir', async () => {
    const dir = tempDir('zt-secret-sqlite-');
    dirs.push(dir);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const node1 = await startChildServer(url, { ...baseEnv(dir.path, port), ZT_SERVER_SECRET: newSecret() });
    expect(await node1.stop('SIGTERM')).toBe(0);

    const file = join(dir.path, 'zerotouch.db');
    const snapshot = (): Record<string, { rows: number; digest: string }> => {
      const db = new Database(file, { readonly: true });
      try {
        const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'zt\\_%' ESCAPE '\\' ORDER BY name").all();
        return Object.fromEntries(
          tables.map(({ name }) => {
            const rows = db.prepare(`SELECT * FROM ${name}`).raw().all() as unknown[][];
            const text = rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? String(v) : v))).sort();
            return [name, { rows: rows.length, digest: text.join('|') }];
          }),
        );
      } finally {
        db.close();
      }
    };
    const before = snapshot();
    expect(before['zt_events']?.rows).toBeGreaterThan(0);
    expect(before['zt_setup']?.rows).toBe(1);

    const refusal = await runServeToExit({ ...baseEnv(dir.path, port), ZT_SERVER_SECRET: newSecret() }, url);
    expectRefusal(refusal);
    expect(snapshot()).toEqual(before);
  });
});
