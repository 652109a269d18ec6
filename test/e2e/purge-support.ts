/**
 * For the purge tests: personal data of every kind on an all-in-one server (`--demo`),
 * and a byte-for-byte scan of the SQLite files for it.
 */
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { expect } from 'vitest';
import { demoAppPassword } from '../../src/adapters/server/bootstrap';
import { readModelsFileOf } from '../../src/adapters/server/storage';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/server';
import { TestSocket } from '../support/ws-client';

export interface Seeded {
  /** alice's code, never used */
  readonly unused: string;
  /** bob's code, which became his phone */
  readonly registered: string;
  /** carol's code in a rollout, never used */
  readonly rollout: string;
  readonly rolloutId: string;
  /** a code Users never handed out, which provisioned a phone it keeps as unassigned */
  readonly foreign: string;
  readonly macs: readonly string[];
}

async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const phone = (n: number) => ({ mac: `00:90:33:00:00:0${n}`, model: 'IP112', firmware: '13r1 sr1', bootcode: '13r1 boot', localIp: '192.0.2.10' });

async function provision(t: TestServer, code: string, n: number): Promise<void> {
  const redeemed = await post(`${t.url}/redirector/v1/phone/redeem`, { code, ...phone(n) });
  expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
  const provisioned = await post(`${t.url}/devices/v1/phone/provision`, { code, ...phone(n) });
  expect(provisioned.status, JSON.stringify(provisioned.body)).toBe(200);
}

async function login(url: string, message: Record<string, unknown>): Promise<TestSocket> {
  const ws = await TestSocket.connect(url);
  expect(await ws.request(message)).toMatchObject({ ok: true });
  return ws;
}

export async function seedPersonalData(t: TestServer): Promise<Seeded> {
  const tokens = t.server.demo?.userTokens;
  if (!tokens) throw new Error('the server was started without --demo');
  const admin = { authorization: `Bearer ${t.config.adminToken}` };
  const sockets: TestSocket[] = [];
  try {
    const alice = await login(`${t.wsUrl}/users/v1/profile`, { mt: 'Login', token: tokens['alice'] });
    const bob = await login(`${t.wsUrl}/users/v1/profile`, { mt: 'Login', token: tokens['bob'] });
    const usersAdmin = await login(`${t.wsUrl}/users/v1/admin`, { mt: 'Login', token: t.config.adminToken });
    sockets.push(alice, bob, usersAdmin);
    const unused = String((await alice.request({ mt: 'AddPhone', category: 'office' }, 15_000))['code']);
    const registered = String((await bob.request({ mt: 'AddPhone', category: 'office' }, 15_000))['code']);
    await provision(t, registered, 1);
    await eventually('bob\'s phone', async () => {
      const phones = await bob.request({ mt: 'GetPhones' });
      return (phones['devices'] as unknown[]).length === 1 ? true : undefined;
    });
    const started = await usersAdmin.request({ mt: 'StartRollout', category: 'office', phoneApp: 'phone', users: ['carol'] }, 15_000);
    const rolloutId = String(started['rolloutId']);
    const rollout = String((started['entries'] as Array<{ code: string }>)[0]!.code);
    // a code asked for over the apps WebSocket by another client: Users never saw it
    const apps = await TestSocket.connect(`${t.wsUrl}/devices/v1/apps`);
    sockets.push(apps);
    const { challenge } = await apps.next('Challenge');
    const digest = createHmac('sha256', demoAppPassword(t.config)).update(String(challenge)).digest('hex');
    expect(await apps.request({ mt: 'Login', app: 'users', domain: 'example.com', digest })).toMatchObject({ ok: true });
    const foreign = String((await apps.request({ mt: 'GetProvisioningCode', category: 'office' }))['code']);
    await provision(t, foreign, 2);
    await eventually('the unassigned phone', async () => {
      const res = await fetch(`${t.url}/users/v1/admin/unassigned-phones`, { headers: admin });
      const list = (await res.json()) as Array<{ code: string | null }>;
      return list.some((p) => p.code === foreign) ? true : undefined;
    });
    // every notice acknowledged, so the outbox holds nothing (what it holds is tested in test/devices)
    await eventually('an empty outbox', async () => {
      const res = await fetch(`${t.url}/devices/v1/admin/outbox?domain=example.com`, { headers: admin });
      return ((await res.json()) as unknown[]).length === 0 ? true : undefined;
    });
    return { unused, registered, rollout, rolloutId, foreign, macs: ['009033000001', '009033000002'] };
  } finally {
    for (const ws of sockets) ws.close();
  }
}

/** the files of a SQLite database: the main file, its WAL and its shared-memory index */
export const databaseFiles = (file: string): string[] => [file, `${file}-wal`, `${file}-shm`].filter((f) => existsSync(f));

/** the files of a server's SQLite storage: the event log's and the read models' */
export const storageFiles = (file: string): string[] => [...databaseFiles(file), ...databaseFiles(readModelsFileOf(file))];

/** for each needle (ASCII), the files of the storage that hold its bytes anywhere */
export function scan(file: string, needles: readonly string[]): Record<string, string[]> {
  const contents = storageFiles(file).map((f) => [f, readFileSync(f)] as const);
  return Object.fromEntries(needles.map((n) => [n, contents.filter(([, bytes]) => bytes.includes(Buffer.from(n, 'ascii'))).map(([f]) => basename(f))]));
}

/**
 * A demo server with personal data of every kind, stopped with its files kept; the control
 * scan says the digits of every code are in the files.
 */
export async function seededAndStopped(options: TestServerOptions): Promise<{ server: TestServer; seeded: Seeded; digits: string[]; file: string }> {
  const server = await startTestServer({ demo: true, ...options });
  const seeded = await seedPersonalData(server);
  await server.server.runner.caughtUp({ timeoutMs: 10_000 });
  const digits = [seeded.unused, seeded.registered, seeded.rollout, seeded.foreign];
  const file = server.storeUrl.slice('sqlite:'.length);
  await server.close({ keepData: true });
  for (const [code, files] of Object.entries(scan(file, digits))) expect(files, `${code} before the purge`).not.toEqual([]);
  return { server, seeded, digits, file };
}
