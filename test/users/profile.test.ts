/**
 * Profile "add a phone" (SPEC §2, first flow) against a real Devices and Redirector: the
 * categories come from Devices, a code is asked for the user, the phone provisions with
 * it and shows as Registered; a user sees only their own codes and phones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestSocket } from '../support/ws-client';
import { admin, DAY, head, importCsv, profile, userToken, usersAdmin, type UsersServer } from './support';
import { macOf, phoneNo, World } from './world';

describe('Profile: a user adds a phone', () => {
  let world: World;
  let users: UsersServer;
  let alice: TestSocket;
  let bob: TestSocket;
  let code: string;

  beforeAll(async () => {
    world = await World.start();
    users = await world.startUsers();
    expect((await importCsv(users, 'alice,Alice\nbob,Bob\n')).json()).toMatchObject({ created: 2 });
    await world.connected();
    alice = await profile(users, await userToken(users, 'alice'));
    bob = await profile(users, await userToken(users, 'bob'));
  });
  afterAll(async () => {
    alice?.close();
    bob?.close();
    await world?.close();
  });

  it('logs in as the user, and says Users is connected to Devices', async () => {
    const ws = await TestSocket.connect(`${users.test.wsUrl}/users/v1/profile`);
    expect(await ws.request({ mt: 'Login', token: await userToken(users, 'alice'), src: 1 })).toEqual({
      mt: 'LoginResult',
      src: 1,
      ok: true,
      user: { id: 'alice', name: 'Alice' },
      devices: { connected: true, detail: expect.stringContaining('connected to ws://') },
    });
    ws.close();
  });

  it('gets the categories enabled for provisioning from Devices (SPEC §5.2 shape)', async () => {
    expect(await alice.request({ mt: 'GetCategories', src: 7 })).toEqual({ mt: 'GetCategoriesResult', src: 7, categories: [{ id: 'office', name: 'Office' }] });
  });

  it('AddPhone gives a code and its expiry; GetPhones shows it pending, to this user only', async () => {
    const added = await alice.request({ mt: 'AddPhone', category: 'Office', src: 'a' });
    expect(added).toEqual({ mt: 'AddPhoneResult', src: 'a', code: expect.stringMatching(/^\d{12}$/), expiresAt: '2026-03-08T09:00:00.000Z' });
    code = String(added['code']);
    expect(await alice.request({ mt: 'GetPhones' })).toMatchObject({ codes: [{ code, category: 'office', expiresAt: '2026-03-08T09:00:00.000Z', state: 'pending' }], devices: [] });
    expect(await bob.request({ mt: 'GetPhones' })).toMatchObject({ codes: [], devices: [] });
  });

  it('Devices refusals come through with their tokens, and nothing is recorded', async () => {
    const before = await head(users);
    expect(await alice.request({ mt: 'AddPhone', category: 'lab' })).toMatchObject({ error: { code: 'forbidden', detail: expect.stringContaining('Devices') } });
    expect(await alice.request({ mt: 'AddPhone', category: 'attic' })).toMatchObject({ error: { code: 'not-found' } });
    const admins = await usersAdmin(users);
    await admin(users, 'POST', '/phone-apps', { id: 'phone', name: 'Phone' });
    const afterApp = await head(users);
    expect(await admins.request({ mt: 'StartRollout', category: 'lab', phoneApp: 'phone', users: ['alice'] })).toMatchObject({ error: { code: 'forbidden' } });
    admins.close();
    expect(await head(users)).toBe(afterApp);
    expect(afterApp).toBe(before + 1);
  });

  it('the phone comes up with the code: pushed to the user, Registered in GetPhones, a device of the user only', async () => {
    await world.provision(code, phoneNo(42, 'IP232'));
    expect(await alice.next('PhoneRegistered')).toEqual({ mt: 'PhoneRegistered', mac: macOf(phoneNo(42)), code });
    expect(await alice.request({ mt: 'GetPhones' })).toMatchObject({
      codes: [{ code, category: 'office', state: 'registered' }],
      devices: [{ mac: macOf(phoneNo(42)), model: 'IP232', category: 'office', registeredAt: '2026-03-01T09:00:00.000Z' }],
    });
    expect(await bob.request({ mt: 'GetPhones' })).toEqual(expect.objectContaining({ codes: [], devices: [] }));
    expect(bob.messages.filter((m) => m['mt'] === 'PhoneRegistered')).toEqual([]);
  });

  it('a code not used within 7 days shows as expired', async () => {
    const { code: unused } = (await bob.request({ mt: 'AddPhone', category: 'office' })) as { code: string };
    world.clock.advance(7 * DAY - 1);
    expect(await bob.request({ mt: 'GetPhones' })).toMatchObject({ codes: [{ code: unused, state: 'pending' }] });
    world.clock.advance(1);
    expect(await bob.request({ mt: 'GetPhones' })).toMatchObject({ codes: [{ code: unused, state: 'expired' }] });
  });
});
