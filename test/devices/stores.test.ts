/**
 * Devices on every store it may run on: the flow, the outbox across a restart and the
 * "last seen" table on PostgreSQL (several app nodes share one database) and in memory;
 * and in the all-in-one server, where Devices speaks HTTP to the process's own Redirector.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createDevicesPart } from '../../src/adapters/devices/part';
import { PART_FACTORIES } from '../../src/adapters/server/factories';
import { startTestServer, type TestServer } from '../support/server';
import { TestSocket } from '../support/ws-client';
import { APP_PASSWORD, DOMAIN, FIRMWARE, freePort, hmac, macOf, phoneNo, START, TEST_PART_OPTIONS, World } from './support';

describe.each(['postgres', 'memory'] as const)('Devices on the %s store', (store) => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('provisions, pushes, offers and remembers when a phone was last seen', async () => {
    world = await World.start({ store });
    await world.setUpDomain();
    const users = await world.users();
    const { credential, mac } = await world.newPhone(users, 1);
    const push = await users.next('PhoneProvisioned');
    expect(push).toMatchObject({ mac });
    const { jobId } = (await world.adminOk('POST', '/update-jobs', { domain: DOMAIN, category: 'office', firmware: FIRMWARE })).json();
    expect((await world.checkIn(credential, 'v0')).body.firmware.jobId).toBe(jobId);
    await expect.poll(async () => (await world!.adminOk('GET', '/devices')).json()[0]?.lastSeen, { timeout: 5000 }).toBe(START);
    if (store === 'postgres') {
      users.close();
      await users.waitClosed();
      await world.restartDevices();
      const again = await world.users();
      expect(await again.next('PhoneProvisioned')).toEqual(push);
      expect((await world.adminOk('GET', '/devices')).json()[0]).toMatchObject({ mac, lastSeen: START });
      expect((await world.checkIn(credential, 'v0')).body.firmware.jobId).toBe(jobId);
      again.close();
    } else {
      users.close();
    }
  }, 30_000);
});

describe('Devices in the all-in-one server', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('asks its own Redirector over HTTP, with the key of its own installation', async () => {
    const port = await freePort();
    const factories = { ...PART_FACTORIES, devices: (context: Parameters<typeof createDevicesPart>[0]) => createDevicesPart(context, TEST_PART_OPTIONS) };
    const start = (env: Record<string, string> = {}, reuse?: TestServer) =>
      startTestServer({ parts: ['redirector', 'devices'], factories, env: { ZT_PORT: String(port), ...env }, ...(reuse ? { dataDir: reuse.dataDir, storeUrl: reuse.storeUrl } : {}) });
    server = await start();
    // the composition registers this installation at its own Redirector on first run; else the operator does
    if (!server.server.context.config.redirectorApiKey) {
      const registered = await fetch(`${server.url}/redirector/v1/installations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.config.operatorToken}` },
        body: JSON.stringify({ name: 'this installation', devicesUrl: server.config.publicUrl }),
      });
      expect(registered.status).toBe(201);
      const { apiKey } = (await registered.json()) as { apiKey: string };
      const first = server;
      await first.close({ keepData: true });
      server = await start({ ZT_REDIRECTOR_API_KEY: apiKey }, first);
    }
    const admin = { 'content-type': 'application/json', authorization: `Bearer ${server.config.adminToken}` };
    for (const [path, body] of [
      ['/domains', { name: DOMAIN, appPassword: APP_PASSWORD }],
      [`/domains/${DOMAIN}/categories`, { id: 'office', name: 'Office', provisioning: true }],
    ] as const) {
      expect((await fetch(`${server.url}/devices/v1/admin${path}`, { method: 'POST', headers: admin, body: JSON.stringify(body) })).status).toBe(201);
    }
    const users = await TestSocket.connect(`${server.wsUrl}/devices/v1/apps`);
    const { challenge } = await users.next('Challenge');
    await users.request({ mt: 'Login', app: 'users', domain: DOMAIN, digest: hmac(APP_PASSWORD, String(challenge)) });
    const issued = await users.request({ mt: 'GetProvisioningCode', category: 'office' });
    expect(issued).toMatchObject({ code: expect.stringMatching(/^\d{12}$/) });
    const phone = phoneNo(5);
    const redeemed = await fetch(`${server.url}/redirector/v1/phone/redeem`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: issued['code'], ...phone }) });
    expect(await redeemed.json()).toEqual({ devicesUrl: server.config.publicUrl });
    const provisioned = await fetch(`${server.url}/devices/v1/phone/provision`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: issued['code'], ...phone }) });
    expect(await provisioned.json()).toMatchObject({ deviceId: macOf(phone), domain: DOMAIN });
    expect(await users.next('PhoneProvisioned')).toMatchObject({ mac: macOf(phone), code: issued['code'] });
    const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/devices/v1/phone/provision',
        '/devices/v1/phone/checkin',
        '/devices/v1/phone/report',
        '/devices/v1/admin/domains',
        '/devices/v1/admin/domains/{domain}/categories',
        '/devices/v1/admin/update-jobs/{id}/advance',
        '/devices/v1/admin/devices/{mac}',
        '/devices/v1/admin/claims',
        '/devices/v1/admin/outbox',
      ]),
    );
    users.close();
  });
});
