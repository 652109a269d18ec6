/**
 * The seed's flow for one phone, end to end: a real Redirector over HTTP, a Devices-only
 * server registered there as an installation, a real WebSocket client standing in for
 * Users, and a phone speaking HTTP: code, redeem, provision, firmware, config, push, ack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSocket } from '../support/ws-client';
import { DOMAIN, FIRMWARE, macOf, phoneNo, World, type Credential } from './support';

describe('Devices: one phone from code to config', () => {
  let world: World;
  let users: TestSocket;
  const phone = phoneNo(1);
  const mac = macOf(phone);
  let code: string;
  let credential: Credential;

  beforeAll(async () => {
    world = await World.start();
    await world.setUpDomain();
    users = await world.users();
  });
  afterAll(async () => {
    users.close();
    await world.close();
  });

  it('Users gets the categories enabled for provisioning, and a code Devices got from the Redirector', async () => {
    const categories = await users.request({ mt: 'GetCategories', src: 'c1' });
    expect(categories).toEqual({ mt: 'GetCategoriesResult', src: 'c1', categories: [{ id: 'office', name: 'Office' }] });
    const issued = await world.code(users);
    expect(issued.expiresAt).toBe('2026-03-08T09:00:00.000Z');
    code = issued.code;
  });

  it('the phone is prompted for the code, redeems it at the Redirector and provisions at Devices', async () => {
    expect(await world.redirectorPhone('init', phone)).toEqual({ status: 200, body: { action: 'prompt-code' } });
    credential = await world.provisionPhone(`${code.slice(0, 4)} ${code.slice(4, 8)}-${code.slice(8)}`, phone);
    expect(credential).toEqual({
      deviceId: mac,
      deviceSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      domain: DOMAIN,
      category: 'office',
      pollSeconds: 300,
      state: 'active',
    });
    const [provisioned] = await world.events(`device-${mac}`);
    expect(provisioned?.data).toMatchObject({ mac, domain: DOMAIN, category: 'office' });
    // the digits sit in the event's personal part, never in its data
    expect(provisioned?.personal).toEqual({ code });
    expect(JSON.stringify(provisioned?.data)).not.toContain(code);
    expect(JSON.stringify(provisioned?.data)).not.toContain(credential.deviceSecret);
  });

  it('Users is told, in exactly the shape of SPEC §5.2, and acknowledges', async () => {
    const push = await users.next('PhoneProvisioned');
    expect(push).toEqual({ mt: 'PhoneProvisioned', id: expect.any(String), mac, code, model: 'IP112', at: '2026-03-01T09:00:00.000Z' });
    expect((await world.adminOk('GET', `/outbox?domain=${DOMAIN}`)).json()).toEqual([{ domain: DOMAIN, id: push['id'], mac, code, model: 'IP112', at: push['at'] }]);
    users.send({ mt: 'PhoneProvisionedAck', id: push['id'] });
    expect(await users.next('PhoneProvisionedAckResult')).toEqual({ mt: 'PhoneProvisionedAckResult', id: push['id'], ok: true });
    expect((await world.adminOk('GET', `/outbox?domain=${DOMAIN}`)).json()).toEqual([]);
  });

  it('a check-in offers nothing while there are no jobs, and writes nothing', async () => {
    const head = await world.head();
    const answer = await world.phone('checkin', { firmware: phone.firmware, bootcode: phone.bootcode, configRevision: null }, credential);
    expect(answer).toMatchObject({ status: 200, body: { firmware: null, config: null, pollSeconds: 300 } });
    expect(await world.head()).toBe(head);
  });

  it('firmware first: the latest matching update job is offered until the phone runs its version', async () => {
    const { jobId } = (await world.adminOk('POST', '/update-jobs', { domain: DOMAIN, category: 'office', firmware: FIRMWARE })).json();
    await world.adminOk('POST', '/config-jobs', { domain: DOMAIN, category: '*', type: 'time', params: { ntp: 'pool.ntp.org', zone: 'Europe/Berlin' } });
    await world.adminOk('POST', '/config-jobs', { domain: DOMAIN, category: 'office', type: 'sip', params: { registrar: 'sip.example.com' } });
    const first = await world.phone('checkin', { firmware: phone.firmware, bootcode: phone.bootcode, configRevision: null }, credential);
    expect(first.body).toEqual({
      firmware: { jobId, version: '13r3 sr5', url: 'https://fw.example.com/13r3/ip112.bin', sha256: 'a'.repeat(64), bootcode: '13r3 boot' },
      config: null,
      pollSeconds: 300,
    });
    const head = await world.head();
    const again = await world.phone('checkin', { firmware: phone.firmware, bootcode: phone.bootcode, configRevision: null }, credential);
    expect(again.body).toEqual(first.body);
    expect(await world.head()).toBe(head);
  });

  it('then the config: the latest job of every type, merged, until the phone reports its revision', async () => {
    const updated = await world.phone('checkin', { firmware: '13r3 sr5', bootcode: '13r3 boot', configRevision: null }, credential);
    expect(updated.body.firmware).toBeNull();
    expect(updated.body.config).toEqual({
      revision: expect.stringMatching(/^[0-9a-f]{16}$/),
      settings: { sip: { registrar: 'sip.example.com' }, time: { ntp: 'pool.ntp.org', zone: 'Europe/Berlin' } },
    });
    const revision = updated.body.config.revision as string;
    expect((await world.phone('report', { kind: 'config', revision, outcome: 'applied' }, credential)).status).toBe(204);
    const done = await world.phone('checkin', { firmware: '13r3 sr5', bootcode: '13r3 boot', configRevision: revision }, credential);
    expect(done.body).toEqual({ firmware: null, config: null, pollSeconds: 300 });
    const head = await world.head();
    await world.phone('checkin', { firmware: '13r3 sr5', bootcode: '13r3 boot', configRevision: revision }, credential);
    expect(await world.head()).toBe(head);
    const types = (await world.events(`device-${mac}`)).map((e) => e.type);
    expect(types).toEqual([
      'DeviceProvisioned',
      'PhoneProvisionedAcknowledged',
      'FirmwareOffered',
      'DeviceVersionsChanged',
      'FirmwareApplied',
      'ConfigOffered',
      'ConfigApplied',
    ]);
  });

  it('the admin sees the phone with when it was last seen, and its history', async () => {
    await expect.poll(async () => (await world.adminOk('GET', `/devices?domain=${DOMAIN}`)).json(), { timeout: 5000 }).toEqual([
      expect.objectContaining({ mac, domain: DOMAIN, category: 'office', model: 'IP112', firmware: '13r3 sr5', state: 'active', lastSeen: '2026-03-01T09:00:00.000Z' }),
    ]);
    const details = (await world.adminOk('GET', `/devices/${phone.mac}`)).json();
    expect(details).toMatchObject({ mac, state: 'active', history: expect.any(Array) });
    expect(details.history.map((h: { type: string }) => h.type)[0]).toBe('DeviceProvisioned');
    expect(JSON.stringify(details)).not.toContain('credentialHash');
  });
});
