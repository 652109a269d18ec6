/**
 * A Devices test world: a Redirector-only server and a Devices-only server side by side,
 * the Devices registered at the Redirector over HTTP as a real installation would be;
 * helpers for the admin, a phone and a Users stand-in on the apps WebSocket.
 */
import { createHmac } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { createDevicesPart, type DevicesPartOptions } from '../../src/adapters/devices/part';
import { PART_FACTORIES } from '../../src/adapters/server/factories';
import { ManualClock, type Clock } from '../../src/application/ports/clock';
import type { RecordedEvent } from '../../src/application/ports/event-store';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { freePort, startTestServer, type TestServer } from '../support/server';
import { TestSocket } from '../support/ws-client';

export const START = '2026-03-01T09:00:00.000Z';
export const DAY = 86_400_000;
export const DOMAIN = 'example.com';
export const APP_PASSWORD = 'correct horse battery staple';

/** quick timings for tests (lenient enough for a busy machine); every other behaviour as in production */
export const TEST_PART_OPTIONS: DevicesPartOptions = {
  loginTimeoutMs: 2_000,
  heartbeatMs: 5_000,
  presenceFlushMs: 100,
  outboxPollMs: 200,
  redirector: { timeoutMs: 1_000, retries: 1, backoffMs: 20 },
};

export { freePort };

export interface WorldOptions {
  readonly store?: 'sqlite' | 'postgres' | 'memory';
  readonly clock?: Clock;
  readonly partOptions?: DevicesPartOptions;
  readonly env?: Record<string, string>;
}

export class World {
  private constructor(
    readonly redirector: TestServer,
    public devices: TestServer,
    readonly apiKey: string,
    readonly clock: Clock,
    private readonly options: WorldOptions,
    private readonly port: number,
    private readonly database: TestDatabase | undefined,
  ) {}

  static async start(options: WorldOptions = {}): Promise<World> {
    const clock = options.clock ?? new ManualClock(START);
    const redirector = await startTestServer({ parts: ['redirector'], clock, store: 'memory' });
    const port = await freePort();
    const registered = await fetch(`${redirector.url}/redirector/v1/installations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${redirector.config.operatorToken}` },
      body: JSON.stringify({ name: 'ACME Devices', devicesUrl: `http://127.0.0.1:${port}` }),
    });
    expect(registered.status).toBe(201);
    const { apiKey } = (await registered.json()) as { apiKey: string };
    const database = options.store === 'postgres' ? await createTestDatabase('zt_devices') : undefined;
    const world = new World(redirector, undefined as unknown as TestServer, apiKey, clock, options, port, database);
    world.devices = await world.startDevices();
    return world;
  }

  private startDevices(reuse?: TestServer): Promise<TestServer> {
    const partOptions = { ...TEST_PART_OPTIONS, ...this.options.partOptions };
    return startTestServer({
      parts: ['devices'],
      clock: this.clock,
      ...(reuse ? { storeUrl: reuse.storeUrl, dataDir: reuse.dataDir } : this.database ? { storeUrl: this.database.url } : { store: this.options.store ?? 'sqlite' }),
      factories: { ...PART_FACTORIES, devices: (context) => createDevicesPart(context, partOptions) },
      env: { ZT_PORT: String(this.port), ZT_REDIRECTOR_URL: this.redirector.url, ZT_REDIRECTOR_API_KEY: this.apiKey, ...this.options.env },
    });
  }

  /** stop the Devices server and start it again on the same store, data dir and port */
  async restartDevices(): Promise<void> {
    const old = this.devices;
    await old.close({ keepData: true });
    this.devices = await this.startDevices(old);
  }

  get adminToken(): string {
    return this.devices.config.adminToken;
  }

  admin(method: 'GET' | 'POST' | 'DELETE' | 'PATCH', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.devices.server.app.inject({
      method,
      url: `/devices/v1/admin${path}`,
      headers: { authorization: `Bearer ${this.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  }

  /** the admin call, which must answer `status` */
  async adminOk(method: 'GET' | 'POST' | 'DELETE' | 'PATCH', path: string, body?: unknown, status = method === 'POST' ? 201 : 200): Promise<LightMyRequestResponse> {
    const res = await this.admin(method, path, body);
    expect(res.statusCode, `${method} ${path}: ${res.body}`).toBe(status);
    return res;
  }

  /** a domain with `office` (provisioning) and `lab` (not) */
  async setUpDomain(domain = DOMAIN, appPassword = APP_PASSWORD): Promise<void> {
    await this.adminOk('POST', '/domains', { name: domain, appPassword });
    await this.adminOk('POST', `/domains/${domain}/categories`, { id: 'office', name: 'Office', provisioning: true });
    await this.adminOk('POST', `/domains/${domain}/categories`, { id: 'lab', name: 'Lab', provisioning: false });
  }

  /** a phone's request over real HTTP */
  async phone(path: 'provision' | 'checkin' | 'report', body: unknown, credential?: { deviceId: string; deviceSecret: string }, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const res = await fetch(`${this.devices.url}/devices/v1/phone/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(credential ? { authorization: `Device ${credential.deviceId}:${credential.deviceSecret}` } : {}),
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text), headers: res.headers };
  }

  /** the Redirector's phone API over real HTTP */
  async redirectorPhone(path: 'init' | 'redeem', body: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.redirector.url}/redirector/v1/phone/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  }

  /** a Users stand-in, logged in for the domain */
  async users(domain = DOMAIN, appPassword = APP_PASSWORD): Promise<TestSocket> {
    const socket = await this.connectApps();
    const { challenge } = await socket.next('Challenge');
    const result = await socket.request({ mt: 'Login', app: 'users', domain, digest: hmac(appPassword, String(challenge)) });
    expect(result).toMatchObject({ mt: 'LoginResult', ok: true });
    return socket;
  }

  connectApps(): Promise<TestSocket> {
    return TestSocket.connect(`${this.devices.wsUrl}/devices/v1/apps`);
  }

  /** a code for a category, asked over the apps WebSocket as Users asks */
  async code(users: TestSocket, category = 'office'): Promise<{ code: string; expiresAt: string }> {
    const result = await users.request({ mt: 'GetProvisioningCode', category });
    expect(result, JSON.stringify(result)).toMatchObject({ code: expect.stringMatching(/^\d{12}$/) });
    return result as unknown as { code: string; expiresAt: string };
  }

  /** redeem at the Redirector and provision at Devices, as a phone does */
  async provisionPhone(code: string, phone: PhoneIdentity): Promise<Credential> {
    const redeemed = await this.redirectorPhone('redeem', { code, ...phone });
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    expect(redeemed.body.devicesUrl).toBe(this.devices.config.publicUrl);
    const provisioned = await this.phone('provision', { code, ...phone });
    expect(provisioned.status, JSON.stringify(provisioned.body)).toBe(200);
    return provisioned.body as Credential;
  }

  /** a phone provisioned with a fresh code of `category`, asked for by `users` */
  async newPhone(users: TestSocket, n: number, category = 'office', model = 'IP112'): Promise<{ phone: PhoneIdentity; credential: Credential; mac: string }> {
    const phone = phoneNo(n, model);
    const { code } = await this.code(users, category);
    return { phone, credential: await this.provisionPhone(code, phone), mac: macOf(phone) };
  }

  /** a check-in reporting these versions */
  checkIn(credential: Credential, firmware: string, configRevision: string | null = null, bootcode = 'boot'): Promise<{ status: number; body: any; headers: Headers }> {
    return this.phone('checkin', { firmware, bootcode, configRevision }, credential);
  }

  head(): Promise<number> {
    return this.devices.server.storage.events.headPosition();
  }

  async events(streamName: string): Promise<RecordedEvent[]> {
    return [...(await this.devices.server.storage.events.readStream(streamName)).events];
  }

  caughtUp(): Promise<void> {
    return this.devices.server.runner.caughtUp({ timeoutMs: 10_000 });
  }

  async close(): Promise<void> {
    await this.devices.close();
    await this.redirector.close();
    await this.database?.drop();
  }
}

export interface PhoneIdentity {
  readonly mac: string;
  readonly model: string;
  readonly firmware: string;
  readonly bootcode: string;
  readonly localIp: string;
}

export interface Credential {
  readonly deviceId: string;
  readonly deviceSecret: string;
  readonly domain: string;
  readonly category: string;
  readonly pollSeconds: number;
}

export const hmac = (key: string, challenge: string): string => createHmac('sha256', key).update(challenge).digest('hex');

export const phoneNo = (n: number, model = 'IP112'): PhoneIdentity => ({
  mac: `00:90:33:${((n >> 16) & 0xff).toString(16).padStart(2, '0')}:${((n >> 8) & 0xff).toString(16).padStart(2, '0')}:${(n & 0xff).toString(16).padStart(2, '0')}`,
  model,
  firmware: '13r1 sr1',
  bootcode: '13r1 boot',
  localIp: '192.0.2.10',
});

export const macOf = (phone: PhoneIdentity): string => phone.mac.replace(/:/g, '').toLowerCase();

export const FIRMWARE = {
  version: '13r3 sr5',
  bootcode: '13r3 boot',
  files: {
    IP112: { url: 'https://fw.example.com/13r3/ip112.bin', sha256: 'a'.repeat(64) },
    IP232: { url: 'https://fw.example.com/13r3/ip232.bin', sha256: 'b'.repeat(64) },
  },
};
