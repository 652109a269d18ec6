/**
 * Users' client of the Devices apps WebSocket, against a real Devices: login by HMAC,
 * requests by src, refusals with their SPEC §3 tokens, failing fast while disconnected,
 * reconnecting with backoff (after a refused login too), and a notice whose recording
 * failed coming again.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { appsUrl, DevicesWsClient, reconnectDelay, type DevicesClientOptions } from '../../src/adapters/users/devices-client';
import { Refusal } from '../../src/application/refusal';
import type { PhoneProvisionedNotice } from '../../src/application/users/devices-port';
import type { CategoryId } from '../../src/domain';
import { eventually } from './support';
import { APP_PASSWORD, DOMAIN, macOf, phoneNo, World } from './world';

const office = 'office' as CategoryId;
const quick = { initialBackoffMs: 20, maxBackoffMs: 200, requestTimeoutMs: 5_000 } as const;

describe('reconnect delays', () => {
  it('double from the first delay up to the cap, drawn from the upper half', () => {
    expect([0, 1, 2, 3].map((a) => reconnectDelay(a, 500, 30_000, 1))).toEqual([500, 1000, 2000, 4000]);
    expect([0, 1, 2, 3].map((a) => reconnectDelay(a, 500, 30_000, 0))).toEqual([250, 500, 1000, 2000]);
    expect(reconnectDelay(20, 500, 30_000, 1)).toBe(30_000);
    expect(reconnectDelay(1000, 500, 30_000, 0)).toBe(15_000);
    expect(reconnectDelay(3, 500, 30_000, 0.5)).toBe(3000);
  });

  it('the apps URL follows the scheme of the Devices URL', () => {
    expect(appsUrl('http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/devices/v1/apps');
    expect(appsUrl('https://devices.example.com/acme/')).toBe('wss://devices.example.com/acme/devices/v1/apps');
  });
});

describe('against a real Devices', () => {
  let world: World;
  const clients: DevicesWsClient[] = [];
  const client = (options: Partial<DevicesClientOptions> = {}): DevicesWsClient => {
    const c = new DevicesWsClient({ devicesUrl: world.devices.url, domain: DOMAIN, appPassword: APP_PASSWORD, ...quick, ...options });
    clients.push(c);
    c.start();
    return c;
  };
  const connected = (c: DevicesWsClient) => eventually(() => c.status().connected, 10_000, 'the client connected');

  beforeAll(async () => {
    world = await World.start({ domain: false });
  });
  afterAll(async () => {
    for (const c of clients) await c.stop();
    await world?.close();
  });

  it('retries a refused login until the domain exists, saying why meanwhile', async () => {
    const c = client();
    await eventually(() => /refused the login of domain example\.com/.test(c.status().detail), 5_000, 'the refusal shown');
    expect(c.status()).toMatchObject({ connected: false, detail: expect.stringMatching(/retrying in \d+\.\d s$/) });
    await expect(c.getCategories()).rejects.toMatchObject({ name: 'Refusal', code: 'unavailable' });
    await world.createDomain();
    await connected(c);
    expect(c.status().detail).toBe(`connected to ${appsUrl(world.devices.url)} as domain example.com`);
  });

  it('asks for categories and codes; refusals keep their tokens', async () => {
    const c = client();
    await connected(c);
    expect(await c.getCategories()).toEqual([{ id: 'office', name: 'Office' }]);
    expect(await c.getProvisioningCode(office)).toEqual({ code: expect.stringMatching(/^\d{12}$/), expiresAt: '2026-03-08T09:00:00.000Z' });
    await expect(c.getProvisioningCode('lab' as CategoryId)).rejects.toMatchObject({ name: 'Refusal', code: 'forbidden', detail: expect.stringMatching(/^Devices: /) });
    await expect(c.getProvisioningCode('attic' as CategoryId)).rejects.toBeInstanceOf(Refusal);
  });

  it('a wrong app password is refused and retried, never connected', async () => {
    const c = client({ appPassword: 'wrong' });
    await eventually(() => /refused the login/.test(c.status().detail), 5_000, 'the refusal shown');
    expect(c.status().connected).toBe(false);
  });

  it('fails fast while Devices is down and reconnects when it is back', async () => {
    const c = client();
    await connected(c);
    await world.stopDevices();
    await eventually(() => !c.status().connected, 5_000, 'the loss noticed');
    // at once, with why: not after the request timeout
    await expect(c.getCategories()).rejects.toThrow(/^not connected to Devices at ws:.*retrying in/);
    await world.startDevices();
    await connected(c);
    expect(await c.getCategories()).toEqual([{ id: 'office', name: 'Office' }]);
  });

  it('a notice whose recording failed is not acknowledged and comes again', async () => {
    const c = client();
    const seen: PhoneProvisionedNotice[] = [];
    c.onPhoneProvisioned(async (notice) => {
      seen.push(notice);
      if (seen.length === 1) throw new Error('the store is not reachable');
      c.acknowledge(notice.noticeId);
    });
    await connected(c);
    const { code } = await c.getProvisioningCode(office);
    await world.provision(code, phoneNo(3));
    await eventually(() => seen.length >= 2, 10_000, 'the notice sent again');
    await eventually(async () => (await world.outbox()).length === 0, 10_000, 'the notice acknowledged');
    expect(seen[0]).toEqual({ noticeId: seen[1]!.noticeId, mac: macOf(phoneNo(3)), model: 'IP112', code, at: '2026-03-01T09:00:00.000Z' });
    expect(seen).toHaveLength(2);
  });
});

describe('a request Devices does not answer in time', () => {
  let world: World;
  let silent: NetServer;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    world = await World.start();
    // the Redirector goes silent: it takes connections and never answers, so Devices cannot answer a code request
    const port = await world.stopRedirector();
    silent = createNetServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => silent.close(r));
    await world?.close();
  });

  it('fails with unavailable after the request timeout; the connection stays up', async () => {
    const c = new DevicesWsClient({ devicesUrl: world.devices.url, domain: DOMAIN, appPassword: APP_PASSWORD, ...quick, requestTimeoutMs: 300 });
    c.start();
    try {
      await eventually(() => c.status().connected, 10_000, 'the client connected');
      await expect(c.getProvisioningCode(office)).rejects.toMatchObject({ code: 'unavailable', detail: 'Devices did not answer GetProvisioningCode within 300 ms' });
      expect(c.status().connected).toBe(true);
    } finally {
      await c.stop();
    }
  });
});

describe('a peer that never completes the login', () => {
  let http: Server;
  let wss: WebSocketServer;
  let url: string;
  let connections = 0;

  beforeAll(async () => {
    http = createServer();
    wss = new WebSocketServer({ server: http });
    wss.on('connection', () => connections++);
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    for (const s of wss.clients) s.terminate();
    await new Promise((r) => wss.close(r));
    await new Promise((r) => http.close(r));
  });

  it('is dropped after the login timeout and retried', async () => {
    const c = new DevicesWsClient({ devicesUrl: url, domain: DOMAIN, appPassword: APP_PASSWORD, ...quick, loginTimeoutMs: 100 });
    c.start();
    try {
      await eventually(() => /did not complete the login within 100 ms/.test(c.status().detail), 5_000, 'the timeout shown');
      await eventually(() => connections >= 2, 5_000, 'a second attempt');
    } finally {
      await c.stop();
    }
  });
});
