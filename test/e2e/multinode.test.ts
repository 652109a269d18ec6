/**
 * Several nodes on one PostgreSQL database as one system (SPEC §7, §9): two `serve --demo`
 * processes with the same configuration and their own data dirs behind a round-robin
 * proxy. A code issued through one node redeems through the other, and what a phone does
 * on one node is pushed live to Profile and UsersAdmin on the other; then a fleet runs
 * through the proxy while one node is killed with SIGKILL: every phone still ends
 * Registered (phones try again as real ones do), nothing is lost or doubled, the outbox
 * drains, and the read models equal a rebuild from the log. And on a PostgreSQL server of
 * the test's own, restarted in the middle of a fleet: the nodes reconnect and finish.
 */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetMac } from '../../src/adapters/fleet/fleet';
import { PhoneClient, type PhoneIdentity } from '../../src/adapters/phone/phone-client';
import { MAIN, REPO, startChildServer, type ChildServer } from '../support/child-server';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { privatePostgresMissing, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { startRoundRobinProxy, type Proxy } from '../support/round-robin-proxy';
import { freePort } from '../support/server';
import { tempDir } from '../support/temp-dir';
import { TestSocket } from '../support/ws-client';

const run = promisify(execFile);
const PHONES = 150;

interface Node {
  readonly url: string;
  readonly env: NodeJS.ProcessEnv;
  readonly dataDir: string;
  server: ChildServer | undefined;
}

/** Two nodes of one configuration (SPEC §9) on the database at `store`, each with its own data dir, behind a round-robin proxy. */
async function startNodes(store: string, adminToken: string, dirs: ReadonlyArray<{ path: string }>): Promise<{ proxy: Proxy; nodes: Node[] }> {
  const ports = [await freePort(), await freePort()];
  const urls = ports.map((p) => `http://127.0.0.1:${p}`);
  // the fleet's and the test's sockets go to the first node, so the node killed below holds none of them
  const proxy = await startRoundRobinProxy(urls, { sockets: 0 });
  const shared: NodeJS.ProcessEnv = {
    ...process.env,
    ZT_STORE: store,
    ZT_SERVER_SECRET: randomBytes(32).toString('base64'),
    ZT_ADMIN_TOKEN: adminToken,
    ZT_OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
    ZT_PUBLIC_URL: proxy.url,
    ZT_TRUST_PROXY: 'true',
    ZT_HOST: '127.0.0.1',
    ZT_LOG_LEVEL: 'warn',
    ZT_POLL_SECONDS: '2',
  };
  const nodes: Node[] = urls.map((url, i) => ({
    url,
    dataDir: dirs[i]!.path,
    env: { ...shared, ZT_DATA_DIR: dirs[i]!.path, ZT_PORT: String(ports[i]), ZT_DEVICES_URL: url },
    server: undefined,
  }));
  // one after the other: the first sets the database up, the second finds it set up
  for (const node of nodes) node.server = await startChildServer(node.url, node.env);
  return { proxy, nodes };
}

/** `fleet` through the proxy, started; resolves with its rollout once it began */
async function startFleet(proxy: Proxy, env: NodeJS.ProcessEnv, runId: string, phones: number) {
  const fleet = spawn(process.execPath, ['--import', 'tsx', MAIN, 'fleet', '--url', proxy.url, '--phones', String(phones), '--run-id', runId, '--concurrency', '16', '--timeout-seconds', '60', '--json'], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  fleet.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => fleet.once('exit', resolve));
  const rolloutId = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no rollout started: ${stderr}`)), 120_000);
    fleet.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const found = /rollout ([0-9a-f-]{36}) started/.exec(stderr);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
  });
  return {
    rolloutId,
    kill: () => fleet.kill('SIGKILL'),
    stderr: () => stderr,
    /** the fleet's exit code and its summary */
    finished: async () => {
      const code = await exited;
      const last = stdout.trim().split('\n').at(-1) ?? '';
      return { code, stderr, summary: last.startsWith('{') ? (JSON.parse(last) as { registered: number; phones: number; errors: object }) : undefined };
    },
  };
}

/** the promise's value, or, when it takes longer than `ms`, a failure with what `onLate` answers (it stops what is late and says why) */
async function withinOr<T>(promise: Promise<T>, ms: number, onLate: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(onLate())), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** how many entries of a rollout show Registered, asked of one node */
async function registeredOf(url: string, adminToken: string, rolloutId: string): Promise<number> {
  const res = await fetch(`${url}/users/v1/admin/rollouts/${rolloutId}.csv`, { headers: { authorization: `Bearer ${adminToken}` } });
  if (res.status !== 200) return 0;
  return (await res.text()).split('\r\n').filter((line) => line.includes(',registered,')).length;
}

const untilRegistered = async (url: string, adminToken: string, rolloutId: string, atLeast: number): Promise<number> => {
  const deadline = Date.now() + 90_000;
  let n = await registeredOf(url, adminToken, rolloutId);
  while (n < atLeast && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    n = await registeredOf(url, adminToken, rolloutId);
  }
  return n;
};

describe('several nodes on one PostgreSQL database behind a proxy', { timeout: 300_000 }, () => {
  const dirs = [tempDir('zt-node-a-'), tempDir('zt-node-b-')];
  let db: TestDatabase;
  let proxy: Proxy;
  let nodes: Node[];
  const adminToken = randomBytes(24).toString('base64url');

  const admin = async <T>(base: string, path: string): Promise<T> => {
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(res.status, `${path}: ${res.status}`).toBe(200);
    return (res.headers.get('content-type') ?? '').includes('json') ? ((await res.json()) as T) : ((await res.text()) as T);
  };

  const login = async (url: string, message: Record<string, unknown>): Promise<TestSocket> => {
    const socket = await TestSocket.connect(url);
    expect(await socket.request(message)).toMatchObject({ ok: true });
    return socket;
  };

  const sql = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ proxy, nodes } = await startNodes(db.url, adminToken, dirs));
  });

  afterAll(async () => {
    for (const node of nodes ?? []) await node.server?.stop('SIGKILL');
    await proxy?.close();
    await db?.drop();
    for (const dir of dirs) dir.remove();
  });

  it('a code issued through one node redeems through the other; Profile and UsersAdmin on one see what a phone did on the other', async () => {
    const [a, b] = nodes as [Node, Node];
    const tokens = JSON.parse(readFileSync(join(a.dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
    const wsOf = (node: Node, path: string): string => `${node.url.replace(/^http/, 'ws')}${path}`;
    const phones = new PhoneClient();
    const identity = (n: number): PhoneIdentity => ({ mac: `00:90:33:0a:00:${n.toString(16).padStart(2, '0')}`, model: 'IP232', firmware: '13r1 sr1', bootcode: '13r1', localIp: `10.0.0.${n}` });
    try {
      // Profile on node A: alice asks for a code; her phone redeems and provisions on node B
      const alice = await login(wsOf(a, '/users/v1/profile'), { mt: 'Login', token: tokens['demoToken:alice'] });
      const code = String((await alice.request({ mt: 'AddPhone', category: 'office' }, 15_000))['code']);
      const phone = identity(1);
      expect(await phones.init(b.url, phone)).toEqual({ action: 'prompt-code' });
      const { devicesUrl } = await phones.redeem(b.url, phone, code);
      expect(devicesUrl).toBe(proxy.url); // one Devices for every node: the balancer's URL
      const credential = await phones.provision(b.url, phone, code);
      expect(credential).toMatchObject({ domain: 'example.com', category: 'office' });
      expect(await alice.next('PhoneRegistered', 20_000)).toEqual({ mt: 'PhoneRegistered', mac: phone.mac.replaceAll(':', ''), code });
      // its check-in through node A knows the credential node B issued
      expect(await phones.checkin(a.url, credential, { firmware: phone.firmware, bootcode: phone.bootcode, configRevision: null })).toMatchObject({});
      alice.close();

      // UsersAdmin on node B: a rollout for carol; her phone comes up on node A
      const usersAdmin = await login(wsOf(b, '/users/v1/admin'), { mt: 'Login', token: adminToken });
      const started = await usersAdmin.request({ mt: 'StartRollout', category: 'office', phoneApp: 'phone', users: ['carol'] }, 15_000);
      const rolloutId = String(started['rolloutId']);
      const carolCode = String((started['entries'] as Array<{ code: string }>)[0]!.code);
      const carolPhone = identity(2);
      await phones.redeem(a.url, carolPhone, carolCode);
      await phones.provision(a.url, carolPhone, carolCode);
      const pushed = await usersAdmin.next((m) => m['mt'] === 'RolloutEntryUpdated' && m['state'] === 'registered', 20_000);
      expect(pushed).toMatchObject({ rolloutId, user: 'carol', state: 'registered', mac: carolPhone.mac.replaceAll(':', '') });
      usersAdmin.close();
    } finally {
      await phones.close();
    }
  });

  it('a job created or cancelled through one node is offered, or no longer, by the other from its next check-ins on', async () => {
    const [a, b] = nodes as [Node, Node];
    const tokens = JSON.parse(readFileSync(join(a.dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
    const phones = new PhoneClient();
    const phone: PhoneIdentity = { mac: '00:90:33:0b:00:01', model: 'IP232', firmware: '13r1 sr1', bootcode: '13r1', localIp: '10.0.1.1' };
    const state = { firmware: phone.firmware, bootcode: phone.bootcode, configRevision: null };
    const adminCall = (node: Node, method: string, path: string, body?: unknown) =>
      fetch(`${node.url}/devices/v1/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    // the first answer offering (or not) `jobId` within 3 s: well inside the offers' time to live (60 s)
    const offeredSoon = async (credential: { deviceId: string; deviceSecret: string }, jobId: string, wanted: boolean): Promise<number> => {
      const started = Date.now();
      for (;;) {
        const answer = await phones.checkin(b.url, credential, state);
        if ((answer.firmware?.jobId === jobId) === wanted) return Date.now() - started;
        if (Date.now() - started > 3_000) throw new Error(`node B still ${wanted ? 'does not offer' : 'offers'} job ${jobId} after 3 s`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    try {
      const bob = await login(`${a.url.replace(/^http/, 'ws')}/users/v1/profile`, { mt: 'Login', token: tokens['demoToken:bob'] });
      const code = String((await bob.request({ mt: 'AddPhone', category: 'office' }, 15_000))['code']);
      bob.close();
      await phones.redeem(a.url, phone, code);
      const credential = await phones.provision(a.url, phone, code);
      // node B answers from its cache: the demo's update job
      const demoJob = (await phones.checkin(b.url, credential, state)).firmware?.jobId;
      expect(demoJob).toBeTruthy();

      const created = await adminCall(a, 'POST', '/update-jobs', {
        domain: 'example.com',
        category: 'office',
        firmware: { version: '13r1 sr9', bootcode: '13r1 sr9', files: { IP232: { url: 'https://fw.example.com/sr9/ip232.bin', sha256: 'c'.repeat(64) } } },
      });
      expect(created.status).toBe(201);
      const { jobId } = (await created.json()) as { jobId: string };
      await offeredSoon(credential, jobId, true);

      expect((await adminCall(a, 'DELETE', `/update-jobs/${jobId}`)).status).toBe(204);
      await offeredSoon(credential, jobId, false);
      expect((await phones.checkin(b.url, credential, state)).firmware?.jobId).toBe(demoJob);
    } finally {
      await phones.close();
    }
  });

  it('loses nothing and doubles nothing when one node is killed in the middle of a fleet', async () => {
    const [a, b] = nodes as [Node, Node];
    const env = { ...a.env, ZT_ADMIN_TOKEN: adminToken };
    const fleet = await startFleet(proxy, env, 'multi', PHONES);
    const rolloutId = fleet.rolloutId;
    const before = await untilRegistered(a.url, adminToken, rolloutId, 20);
    expect(before).toBeGreaterThanOrEqual(20);
    expect(before).toBeLessThan(PHONES); // killed in the middle, not after the end
    expect(proxy.served.every((n) => n > 0), `requests per node: ${proxy.served.join(', ')}`).toBe(true); // both nodes took the fleet's requests
    await b.server!.stop('SIGKILL');
    b.server = undefined;

    // the fleet goes on through the node that is left: its phones try again where a request found no node
    const { code, stderr, summary } = await fleet.finished();
    expect(summary, `fleet: ${stderr}`).toMatchObject({ phones: PHONES, registered: PHONES });
    expect(summary?.errors, 'what the phones were answered').toEqual({});
    expect(code).toBe(0);
    const csv = (await admin<string>(proxy.url, `/users/v1/admin/rollouts/${rolloutId}.csv`)).replace(/^\uFEFF/, '').trim().split('\r\n').slice(1);
    expect(csv).toHaveLength(PHONES);
    for (const row of csv.map((line) => line.split(','))) {
      expect(row[4]).toBe('registered');
      expect(row[5]).toBe(fleetMac('multi', row[0]!));
    }

    // the outbox drains on the node that took its lease over
    const drained = Date.now() + 30_000;
    let outbox = await admin<unknown[]>(a.url, '/devices/v1/admin/outbox?domain=example.com');
    while (outbox.length > 0 && Date.now() < drained) {
      await new Promise((r) => setTimeout(r, 250));
      outbox = await admin<unknown[]>(a.url, '/devices/v1/admin/outbox?domain=example.com');
    }
    expect(outbox).toEqual([]);

    // nothing doubled: each phone provisioned, registered and acknowledged once
    // (a rollout's stream holds one entry per user: told apart by the user)
    const doubled = (type: string) =>
      sql<{ stream_name: string }>("SELECT stream_name FROM zt_events WHERE type = $1 GROUP BY stream_name, data->>'userId' HAVING count(*) > 1", [type]);
    for (const type of ['DeviceProvisioned', 'PhoneRegistered', 'PhoneProvisionedAcknowledged', 'RolloutEntryRegistered']) expect(await doubled(type), type).toEqual([]);
    const count = async (type: string): Promise<number> => Number((await sql<{ n: string }>('SELECT count(*) AS n FROM zt_events WHERE type = $1', [type]))[0]!.n);
    // the fleet's phones, the two of the first test and the one of the job test
    expect(await count('DeviceProvisioned')).toBe(PHONES + 3);
    expect(await count('PhoneRegistered')).toBe(PHONES + 3);
    expect(await count('RolloutEntryRegistered')).toBe(PHONES + 1);
    // no gap in the global order
    const [order] = await sql<{ n: string; lo: string; hi: string }>('SELECT count(*) AS n, min(global_position) AS lo, max(global_position) AS hi FROM zt_events');
    expect(Number(order!.hi) - Number(order!.lo) + 1).toBe(Number(order!.n));

    // the read models equal a rebuild from the log
    await a.server!.stop('SIGTERM');
    a.server = undefined;
    const dump = async (): Promise<string[]> =>
      (
        await sql<{ row: string }>(
          `SELECT d.projection || ' ' || d.collection || ' ' || d.key || ' ' || d.doc::text AS row
             FROM zt_documents d JOIN zt_projections p ON p.projection = d.projection AND p.slot = 'live' AND p.generation = d.generation
            ORDER BY 1`,
        )
      ).map((r) => r.row);
    const live = await dump();
    expect(live.length).toBeGreaterThan(PHONES * 4);
    await run(process.execPath, ['--import', 'tsx', MAIN, 'projections', 'rebuild'], { cwd: REPO, env, maxBuffer: 64 * 1024 * 1024 });
    const rebuilt = await dump();
    expect(rebuilt).toEqual(live);
  });
});

describe.skipIf(privatePostgresMissing() !== undefined)('several nodes while their PostgreSQL server restarts', { timeout: 300_000 }, () => {
  const dirs = [tempDir('zt-node-c-'), tempDir('zt-node-d-')];
  let cluster: PrivatePostgres;
  let proxy: Proxy;
  let nodes: Node[];
  const adminToken = randomBytes(24).toString('base64url');

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    ({ proxy, nodes } = await startNodes(cluster.url, adminToken, dirs));
  });

  afterAll(async () => {
    for (const node of nodes ?? []) await node.server?.stop('SIGKILL');
    await proxy?.close();
    await cluster?.stop();
    for (const dir of dirs) dir.remove();
  });

  it('reconnects and finishes the fleet when PostgreSQL restarts in the middle', async () => {
    const phones = 100;
    const fleet = await startFleet(proxy, { ...nodes[0]!.env }, 'restart', phones);
    const before = await untilRegistered(nodes[0]!.url, adminToken, fleet.rolloutId, 15);
    expect(before).toBeGreaterThanOrEqual(15);
    expect(before).toBeLessThan(phones);
    await cluster.restart(); // every connection of both nodes is ended
    const { code, stderr, summary } = await withinOr(fleet.finished(), 180_000, () => {
      fleet.kill(); // so that a second attempt runs alone
      return `the fleet did not finish: ${fleet.stderr().slice(-2000)}\n${nodes.map((n) => `${n.url}: ${n.server?.output().slice(-3000)}`).join('\n')}`;
    });
    expect(summary, `fleet: ${stderr}`).toMatchObject({ phones, registered: phones });
    // a request that met the restart is answered 503 (phones try again), never 500
    expect(summary?.errors, 'what the phones were answered').toEqual({});
    expect(code).toBe(0);
    // both nodes are serving again, with their read models caught up
    for (const node of nodes) {
      const deadline = Date.now() + 30_000;
      let ready = await fetch(`${node.url}/readyz`).then((r) => r.status);
      while (ready !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        ready = await fetch(`${node.url}/readyz`).then((r) => r.status);
      }
      expect(ready, `${node.url}/readyz`).toBe(200);
      expect(await registeredOf(node.url, adminToken, fleet.rolloutId)).toBe(phones);
    }
  });
});
