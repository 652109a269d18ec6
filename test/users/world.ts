/**
 * Users against the real thing: a Redirector server, a Devices server registered there as
 * an installation (over HTTP, as an operator would), the domain and its categories made
 * through the Devices admin API, and a Users server pointed at Devices by URL. All three
 * share one manual clock. Phones are driven with plain HTTP calls (SPEC §4 redeem, §5.1
 * provision).
 */
import { rmSync } from 'node:fs';
import { expect } from 'vitest';
import { ManualClock } from '../../src/application/ports/clock';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { freePort, startTestServer, type TestServer } from '../support/server';
import { bearer, eventually, START, startUsers, type UsersServer } from './support';

export const DOMAIN = 'example.com';
export const APP_PASSWORD = 'correct horse battery staple';

export interface Phone {
  readonly mac: string;
  readonly model: string;
  readonly firmware: string;
  readonly bootcode: string;
  readonly localIp: string;
}

/** phone number n: MAC 00:90:33:xx:xx:xx */
export const phoneNo = (n: number, model = 'IP112'): Phone => ({
  mac: `00:90:33:${[(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff].map((b) => b.toString(16).padStart(2, '0')).join(':')}`,
  model,
  firmware: '13r1 sr1',
  bootcode: '13r1 boot',
  localIp: '192.0.2.10',
});

export const macOf = (phone: Phone): string => phone.mac.replace(/:/g, '').toLowerCase();

export async function json(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

export class World {
  /** the running Users server */
  users: UsersServer | undefined;
  /** the data of the last Users server, for a restart */
  private usersData: { storeUrl: string; dataDir: string } | undefined;
  private usersDatabase: TestDatabase | undefined;
  private redirectorStopped = false;

  private constructor(
    readonly clock: ManualClock,
    readonly redirector: TestServer,
    public devices: TestServer,
    private readonly devicesEnv: Record<string, string>,
  ) {}

  /** Redirector and Devices running, the domain with `office` (provisioning) and `lab` (not), unless `domain: false` */
  static async start(options: { store?: 'sqlite' | 'postgres'; domain?: boolean } = {}): Promise<World> {
    const clock = new ManualClock(START);
    const redirector = await startTestServer({ parts: ['redirector'], clock, store: 'memory' });
    const port = await freePort();
    const registered = await json(`${redirector.url}/redirector/v1/installations`, {
      headers: bearer(redirector.config.operatorToken),
      body: { name: 'ACME Devices', devicesUrl: `http://127.0.0.1:${port}` },
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const env = { ZT_PORT: String(port), ZT_REDIRECTOR_URL: redirector.url, ZT_REDIRECTOR_API_KEY: registered.body.apiKey };
    const devices = await startTestServer({ parts: ['devices'], clock, store: options.store ?? 'sqlite', env });
    const world = new World(clock, redirector, devices, env);
    if (options.domain !== false) await world.createDomain();
    return world;
  }

  async createDomain(): Promise<void> {
    await this.devicesAdmin('POST', '/domains', { name: DOMAIN, appPassword: APP_PASSWORD });
    await this.devicesAdmin('POST', `/domains/${DOMAIN}/categories`, { id: 'office', name: 'Office', provisioning: true });
    await this.devicesAdmin('POST', `/domains/${DOMAIN}/categories`, { id: 'lab', name: 'Lab', provisioning: false });
  }

  /** stop the Redirector (for good); answers the port it listened on */
  async stopRedirector(): Promise<number> {
    this.redirectorStopped = true;
    await this.redirector.close();
    return Number(new URL(this.redirector.url).port);
  }

  /** stop Devices, keeping its data and port */
  async stopDevices(): Promise<void> {
    await this.devices.close({ keepData: true });
  }

  /** start Devices again on its data and port */
  async startDevices(): Promise<void> {
    const { storeUrl, dataDir } = this.devices;
    this.devices = await startTestServer({ parts: ['devices'], clock: this.clock, storeUrl, dataDir, env: this.devicesEnv });
  }

  /**
   * Start (or restart, on the same data) the Users server of the domain. `fresh`: on new
   * data, as if the old data were lost; `connect: false`: without the app password.
   */
  async startUsers(options: { store?: 'sqlite' | 'postgres'; connect?: boolean; fresh?: boolean } = {}): Promise<UsersServer> {
    if (this.users) throw new Error('Users is running already');
    if (options.fresh && this.usersData) {
      rmSync(this.usersData.dataDir, { recursive: true, force: true });
      this.usersData = undefined;
      await this.usersDatabase?.drop();
      this.usersDatabase = undefined;
    }
    if (this.usersData === undefined && options.store === 'postgres') {
      // a database of the world's own, dropped at close (the Users server may restart on it)
      this.usersDatabase = await createTestDatabase();
    }
    this.users = await startUsers({
      clock: this.clock,
      ...(this.usersData ?? (this.usersDatabase ? { storeUrl: this.usersDatabase.url } : { store: 'sqlite' as const })),
      env: {
        ZT_DEVICES_URL: this.devices.url,
        ZT_USERS_DOMAIN: DOMAIN,
        ...(options.connect === false ? {} : { ZT_USERS_APP_PASSWORD: APP_PASSWORD }),
      },
    });
    this.usersData = { storeUrl: this.users.test.storeUrl, dataDir: this.users.test.dataDir };
    return this.users;
  }

  /** resolves once Users is logged in to Devices (its /readyz says so) */
  async connected(): Promise<void> {
    const url = `${this.requireUsers().test.url}/readyz`;
    await eventually(async () => (await json(url)).status === 200, 10_000, 'Users connected to Devices');
  }

  /** stop Users, keeping its data for a restart */
  async stopUsers(): Promise<void> {
    const users = this.requireUsers();
    this.users = undefined;
    await users.close({ keepData: true });
  }

  requireUsers(): UsersServer {
    if (!this.users) throw new Error('Users is not started');
    return this.users;
  }

  /** a Devices admin call that must succeed */
  async devicesAdmin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<any> {
    const res = await json(`${this.devices.url}/devices/v1/admin${path}`, { method, headers: bearer(this.devices.config.adminToken), body });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }

  /** the phone types the code: redeem at the Redirector, provision at Devices */
  async provision(code: string, phone: Phone): Promise<{ deviceId: string; deviceSecret: string }> {
    const redeemed = await json(`${this.redirector.url}/redirector/v1/phone/redeem`, { body: { code, ...phone } });
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    const provisioned = await json(`${redeemed.body.devicesUrl}/devices/v1/phone/provision`, { body: { code, ...phone } });
    expect(provisioned.status, JSON.stringify(provisioned.body)).toBe(200);
    return provisioned.body;
  }

  /** the PhoneProvisioned notices Devices has not had acknowledged */
  outbox(): Promise<Array<{ id: string; mac: string; code: string | null; model: string; at: string }>> {
    return this.devicesAdmin('GET', `/outbox?domain=${DOMAIN}`);
  }

  async close(): Promise<void> {
    await this.users?.close();
    this.users = undefined;
    // a restarted server does not own its data dir: remove it here
    if (this.usersData) rmSync(this.usersData.dataDir, { recursive: true, force: true });
    await this.usersDatabase?.drop();
    await this.devices.close();
    rmSync(this.devices.dataDir, { recursive: true, force: true });
    if (!this.redirectorStopped) await this.redirector.close();
  }
}
