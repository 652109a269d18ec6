/**
 * The apps WebSocket (SPEC §5.2) beyond the happy path: the HMAC login, timeouts and
 * heartbeats, and a Redirector that is down, hangs, fails or refuses.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TestSocket } from '../support/ws-client';
import { APP_PASSWORD, DOMAIN, freePort, hmac, World } from './support';
import { parseExposition } from '../support/exposition';

const listen = (server: Server | ReturnType<typeof createHttpServer>): Promise<string> =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)));

/** how often the Redirector answered POST /redirector/v1/codes with a status, from its /metrics (a series not there yet is 0) */
const redirectorCount = async (world: World, status: number): Promise<number> => {
  const exposition = parseExposition(await (await fetch(`${world.redirector.url}/metrics`)).text());
  const series = exposition.samples('zt_http_request_duration_seconds_count').filter((s) => s.labels['route'] === '/redirector/v1/codes' && s.labels['status'] === String(status));
  expect(series.length).toBeLessThanOrEqual(1);
  return series[0]?.value ?? 0;
};

describe('Devices apps WebSocket', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('a wrong digest or an unknown domain gets LoginResult ok:false and the connection is closed', async () => {
    world = await World.start();
    await world.setUpDomain();
    for (const [domain, password] of [
      [DOMAIN, 'not the password'],
      ['nowhere.example', APP_PASSWORD],
    ] as const) {
      const socket = await world.connectApps();
      const { challenge } = await socket.next('Challenge');
      expect(String(challenge)).toMatch(/^[0-9a-f]{64}$/);
      const result = await socket.request({ mt: 'Login', app: 'users', domain, digest: hmac(password, String(challenge)) });
      expect(result).toMatchObject({ mt: 'LoginResult', ok: false, error: { code: 'unauthorized' } });
      expect((await socket.waitClosed()).code).toBe(4003);
    }
    // a digest for another connection's challenge does not work either
    const first = await world.connectApps();
    const { challenge } = await first.next('Challenge');
    const second = await world.connectApps();
    await second.next('Challenge');
    expect(await second.request({ mt: 'Login', app: 'users', domain: DOMAIN, digest: hmac(APP_PASSWORD, String(challenge)) })).toMatchObject({ ok: false });
    first.close();
  });

  it('asks for login first, refuses a second login, and closes a client that never logs in', async () => {
    world = await World.start();
    await world.setUpDomain();
    const idle = await world.connectApps();
    await idle.next('Challenge');
    expect(await idle.request({ mt: 'GetCategories' })).toMatchObject({ mt: 'GetCategoriesResult', error: { code: 'unauthorized' } });
    expect((await idle.waitClosed()).code).toBe(4001);
    const users = await world.users();
    expect(await users.request({ mt: 'Login', app: 'users', domain: DOMAIN, digest: 'ab' })).toMatchObject({ error: { code: 'conflict' } });
    expect(await users.request({ mt: 'GetCategories' })).toMatchObject({ categories: [{ id: 'office', name: 'Office' }] });
    users.close();
  });

  it('drops a connection that stops answering pings', async () => {
    world = await World.start({ partOptions: { heartbeatMs: 1_000 } });
    await world.setUpDomain();
    const deaf = await TestSocket.connect(`${world.devices.wsUrl}/devices/v1/apps`, { autoPong: false });
    const { challenge } = await deaf.next('Challenge');
    expect(await deaf.request({ mt: 'Login', app: 'users', domain: DOMAIN, digest: hmac(APP_PASSWORD, String(challenge)) })).toMatchObject({ ok: true });
    const closed = await deaf.waitClosed(6000);
    expect(closed.code).toBe(1006);
    const alive = await world.users();
    await new Promise((r) => setTimeout(r, 2_500));
    expect(alive.closed).toBeUndefined();
    alive.close();
  });

  it('a category that is disabled or unknown gets no code, and the Redirector is not asked', async () => {
    world = await World.start();
    await world.setUpDomain();
    const users = await world.users();
    const head = await world.head();
    expect(await users.request({ mt: 'GetProvisioningCode', category: 'lab' })).toMatchObject({ error: { code: 'forbidden' } });
    expect(await users.request({ mt: 'GetProvisioningCode', category: 'attic' })).toMatchObject({ error: { code: 'not-found' } });
    expect(await world.head()).toBe(head);
    expect(await redirectorCount(world, 201)).toBe(0);
    users.close();
  });

  it('a Redirector that is down, hangs or keeps failing is `unavailable`; one that refuses the API key is `bad-gateway`, asked once', async () => {
    const closedPort = await freePort();
    const hanging: Socket[] = [];
    const hangs = createTcpServer((socket) => hanging.push(socket));
    let failures = 0;
    const failing = createHttpServer((_req, res) => {
      failures++;
      res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
    });
    const upstreams = { down: `http://127.0.0.1:${closedPort}`, hangs: await listen(hangs), fails: await listen(failing) };
    try {
      for (const [what, url] of Object.entries(upstreams)) {
        world = await World.start({ env: { ZT_REDIRECTOR_URL: url } });
        await world.setUpDomain();
        const users = await world.users();
        const head = await world.head();
        const result = await users.request({ mt: 'GetProvisioningCode', category: 'office' }, 10_000);
        expect(result, what).toMatchObject({ mt: 'GetProvisioningCodeResult', error: { code: 'unavailable', detail: expect.stringContaining(url) } });
        expect(await world.head()).toBe(head);
        expect(await users.request({ mt: 'GetCategories' })).toMatchObject({ categories: [{ id: 'office' }] });
        users.close();
        await world.close();
        world = undefined;
      }
      expect(failures).toBe(2); // the first attempt and one retry
    } finally {
      for (const socket of hanging) socket.destroy();
      hangs.close();
      failing.close();
    }

    world = await World.start({ env: { ZT_REDIRECTOR_API_KEY: '' } });
    await world.setUpDomain();
    const keyless = await world.users();
    expect(await keyless.request({ mt: 'GetProvisioningCode', category: 'office' })).toMatchObject({ error: { code: 'unavailable', detail: expect.stringContaining('ZT_REDIRECTOR_API_KEY') } });
    keyless.close();
    await world.close();

    world = await World.start({ env: { ZT_REDIRECTOR_API_KEY: 'not-the-key' } });
    await world.setUpDomain();
    const users = await world.users();
    const result = await users.request({ mt: 'GetProvisioningCode', category: 'office' });
    expect(result).toMatchObject({ error: { code: 'bad-gateway', detail: expect.stringContaining('unauthorized') } });
    expect(await redirectorCount(world, 401)).toBe(1);
    const devicesMetrics = parseExposition(await (await fetch(`${world.devices.url}/metrics`)).text());
    expect(devicesMetrics.samples('zt_devices_redirector_calls_total').map((c) => [c.labels['operation'], c.labels['outcome'], c.value])).toEqual([['issue-code', 'refused', 1]]);
    users.close();
  }, 30_000);
});
