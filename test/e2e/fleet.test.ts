/**
 * The whole flow end to end, as an operator runs it: `zerotouch serve --demo` as a child
 * process on a temp data dir, `zerotouch fleet` bringing 200 simulated phones up over the
 * real protocols, the audit of one phone; then a second fleet run interrupted by kill -9 of
 * the server, a restart, the run finished — nothing lost, nothing doubled, and read models
 * equal to a rebuild from the log.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetMac } from '../../src/adapters/fleet/fleet';
import { MAIN, REPO, startChildServer, type ChildServer } from '../support/child-server';
import { freePort } from '../support/server';
import { tempDir } from '../support/temp-dir';

const run = promisify(execFile);

describe('zerotouch end to end: serve, fleet, audit, crash and restart', { timeout: 300_000 }, () => {
  const dir = tempDir('zt-e2e-');
  let port: number;
  let url: string;
  let env: NodeJS.ProcessEnv;
  let server: ChildServer | undefined;
  let adminToken: string;
  let firstRollout = '';

  const startServer = (): Promise<ChildServer> => startChildServer(url, env);

  const stopServer = async (signal: NodeJS.Signals): Promise<void> => {
    if (!server) return;
    await server.stop(signal);
    server = undefined;
  };

  const cli = async (...args: string[]): Promise<string> => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  };

  const admin = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status, `${path}: ${res.status}`).toBe(200);
    return (res.headers.get('content-type') ?? '').includes('json') ? ((await res.json()) as T) : ((await res.text()) as T);
  };

  /** each of the run's users has exactly one device, and the rollout shows every entry Registered with its MAC */
  const expectRunComplete = async (runId: string, rolloutId: string, phones: number): Promise<void> => {
    const csv = (await admin<string>(`/users/v1/admin/rollouts/${rolloutId}.csv`)).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(csv[0]).toBe('user,name,code,expires_at,state,mac');
    const rows = csv.slice(1).map((line) => line.split(','));
    expect(rows).toHaveLength(phones);
    for (const row of rows) {
      expect(row[4]).toBe('registered');
      expect(row[5]).toBe(fleetMac(runId, row[0]!));
      const devices = await admin<Array<{ mac: string }>>(`/users/v1/admin/users/${row[0]}/devices`);
      expect(devices.map((d) => d.mac)).toEqual([row[5]]);
    }
  };

  beforeAll(async () => {
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = { ...process.env, ZT_DATA_DIR: dir.path, ZT_PORT: String(port), ZT_HOST: '127.0.0.1', ZT_LOG_LEVEL: 'warn', ZT_POLL_SECONDS: '2' };
    server = await startServer();
    adminToken = (JSON.parse(readFileSync(join(dir.path, 'secrets.json'), 'utf8')) as { adminToken: string }).adminToken;
    env = { ...env, ZT_ADMIN_TOKEN: adminToken };
  });

  afterAll(async () => {
    await stopServer('SIGKILL');
    dir.remove();
  });

  it('brings 200 phones up with fleet in rollouts of 80: every rollout entry Registered, every user one device, one phone audited across the parts', async () => {
    const summary = JSON.parse(await cli('fleet', '--phones', '200', '--run-id', 'first', '--rollout-size', '80', '--json')) as { registered: number; errors: object; rolloutId: string; rolloutIds: string[] };
    expect(summary).toMatchObject({ registered: 200 });
    expect(summary.errors).toEqual({});
    expect(summary.rolloutIds).toHaveLength(3);
    expect(summary.rolloutId).toBe(summary.rolloutIds[0]);
    firstRollout = summary.rolloutId;
    for (const [i, rolloutId] of summary.rolloutIds.entries()) await expectRunComplete('first', rolloutId, [80, 80, 40][i]!);

    const mac = fleetMac('first', 'fleet-first-000007');
    const trail = (await cli('audit', '--mac', mac)).trim().split('\n').map((line) => JSON.parse(line) as { type: string; position: number; stream: string });
    const types = trail.map((e) => e.type);
    for (const type of ['CodeIssued', 'DeviceCodeAssigned', 'PhoneCodeRequested', 'CodeRedeemed', 'DeviceProvisioned', 'PhoneRegistered', 'RolloutEntryRegistered', 'PhoneProvisionedAcknowledged', 'FirmwareApplied', 'ConfigApplied']) {
      expect(types, `audit of ${mac} lacks ${type}`).toContain(type);
    }
    expect(types.indexOf('CodeIssued')).toBeLessThan(types.indexOf('CodeRedeemed'));
    expect(types.indexOf('CodeRedeemed')).toBeLessThan(types.indexOf('DeviceProvisioned'));
    expect(types.indexOf('DeviceProvisioned')).toBeLessThan(types.indexOf('PhoneRegistered'));
    expect(trail.map((e) => e.position)).toEqual([...trail.map((e) => e.position)].sort((a, b) => a - b));
    expect(new Set(trail.map((e) => e.stream.split('-')[0]))).toEqual(new Set(['code', 'deviceCode', 'userDevice', 'rollout', 'device']));
  });

  it('loses nothing and doubles nothing when the server is killed in the middle of a fleet run', async () => {
    // the second run, interrupted: kill -9 once some of its phones are up
    const fleet = spawn(process.execPath, ['--import', 'tsx', MAIN, 'fleet', '--phones', '200', '--run-id', 'second', '--concurrency', '20'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let fleetOutput = '';
    fleet.stdout!.on('data', (d: Buffer) => (fleetOutput += d.toString()));
    const rolloutId = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no rollout started: ${fleetOutput}`)), 120_000);
      fleet.stderr!.on('data', (d: Buffer) => {
        fleetOutput += d.toString();
        const found = /rollout ([0-9a-f-]{36}) started/.exec(fleetOutput);
        if (found) {
          clearTimeout(timer);
          resolve(found[1]!);
        }
      });
    });
    const registeredBefore = async (): Promise<number> => {
      const csv = await admin<string>(`/users/v1/admin/rollouts/${rolloutId}.csv`);
      return csv.split('\r\n').filter((line) => line.includes(',registered,')).length;
    };
    const deadline = Date.now() + 60_000;
    while ((await registeredBefore()) < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await stopServer('SIGKILL');
    const fleetExit = await new Promise<number | null>((resolve) => fleet.once('exit', resolve));
    expect(fleetExit).not.toBe(0); // it lost its server half-way

    // restart on the same data dir and finish the run with the same phones
    server = await startServer();
    const summary = JSON.parse(await cli('fleet', '--resume', rolloutId, '--run-id', 'second', '--json')) as { registered: number; phones: number; errors: object };
    expect(summary).toMatchObject({ phones: 200, registered: 200 });
    expect(summary.errors).toEqual({});
    await expectRunComplete('second', rolloutId, 200);
    await expectRunComplete('first', firstRollout, 80); // the first run is untouched

    // nothing waiting, nothing doubled: 400 devices, each provisioned once and registered once
    // Users acknowledges each notice right after recording it: the outbox drains a moment later
    const drained = Date.now() + 20_000;
    let outbox = await admin<unknown[]>('/devices/v1/admin/outbox?domain=example.com');
    while (outbox.length > 0 && Date.now() < drained) {
      await new Promise((r) => setTimeout(r, 250));
      outbox = await admin<unknown[]>('/devices/v1/admin/outbox?domain=example.com');
    }
    expect(outbox).toEqual([]);
    await stopServer('SIGTERM');
    const db = new Database(join(dir.path, 'zerotouch.db'), { readonly: true });
    try {
      const once = (type: string): Array<{ stream_name: string; n: number }> =>
        db.prepare<[string], { stream_name: string; n: number }>('SELECT stream_name, COUNT(*) AS n FROM zt_events WHERE type = ? GROUP BY stream_name HAVING n > 1').all(type);
      expect(once('DeviceProvisioned')).toEqual([]);
      expect(once('PhoneRegistered')).toEqual([]);
      expect(once('PhoneProvisionedAcknowledged')).toEqual([]);
      const count = (type: string): number => db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM zt_events WHERE type = ?').get(type)!.n;
      expect(count('DeviceProvisioned')).toBe(400);
      expect(count('PhoneRegistered')).toBe(400);
      expect(count('RolloutEntryRegistered')).toBe(400);
    } finally {
      db.close();
    }

    // the read models equal a rebuild from the log
    const dump = (): string[] => {
      const d = new Database(join(dir.path, 'zerotouch.read-models.db'), { readonly: true });
      try {
        return d
          .prepare<[], { row: string }>(
            `SELECT d.projection || ' ' || d.collection || ' ' || d.key || ' ' || d.doc AS row
               FROM zt_documents d JOIN zt_projections p ON p.projection = d.projection AND p.slot = 'live' AND p.generation = d.generation
              ORDER BY d.projection, d.collection, d.key`,
          )
          .all()
          .map((r) => r.row);
      } finally {
        d.close();
      }
    };
    const before = dump();
    expect(before.length).toBeGreaterThan(1000);
    await cli('projections', 'rebuild');
    const after = dump();
    expect(after.length).toBe(before.length);
    expect(after).toEqual(before);
    server = await startServer();
  });
});
