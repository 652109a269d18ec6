/**
 * The outbox of `PhoneProvisioned` (SPEC §2 step 6, §5.2): notices wait while no Users is
 * connected, arrive in order on every (re)connect until acknowledged, survive a restart
 * of Devices, and are never lost between two Users of one domain.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { outboxSize } from '../../src/application/devices/outbox-queries';
import type { TestSocket } from '../support/ws-client';
import { DOMAIN, macOf, phoneNo, World } from './support';

const pushes = async (users: TestSocket, n: number, timeoutMs = 10_000): Promise<Record<string, unknown>[]> => {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) out.push(await users.next('PhoneProvisioned', timeoutMs));
  return out;
};

const ack = async (users: TestSocket, id: unknown): Promise<Record<string, unknown>> => {
  users.send({ mt: 'PhoneProvisionedAck', id });
  return users.next((m) => m['mt'] === 'PhoneProvisionedAckResult' && m['id'] === id);
};

/** nothing more arrives within a while (the dispatcher polls every 200 ms in tests) */
const quiet = async (users: TestSocket, ms = 700): Promise<void> => {
  await new Promise((r) => setTimeout(r, ms));
  expect(users.messages.filter((m) => m['mt'] === 'PhoneProvisioned')).toEqual([]);
};

describe('Devices outbox', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('Users offline while 100 phones provision, then connects: all 100 arrive, in order, once acked never again; a restart in between loses none', async () => {
    world = await World.start();
    await world.setUpDomain();
    const asking = await world.users();
    const codes: string[] = [];
    for (let i = 0; i < 100; i++) codes.push((await world.code(asking)).code);
    asking.close();
    await asking.waitClosed();

    const phones = codes.map((_, i) => phoneNo(1000 + i, i % 2 === 0 ? 'IP112' : 'IP232'));
    for (let i = 0; i < 50; i++) await world.provisionPhone(codes[i]!, phones[i]!);
    await world.restartDevices();
    for (let i = 50; i < 100; i++) await world.provisionPhone(codes[i]!, phones[i]!);
    expect((await world.adminOk('GET', `/outbox?domain=${DOMAIN}&limit=1000`)).json()).toHaveLength(100);
    expect(await outboxSize(world.devices.server.context)).toBe(100);

    const users = await world.users();
    const received = await pushes(users, 100);
    expect(received.map((p) => p['mac'])).toEqual(phones.map(macOf));
    expect(received.map((p) => p['code'])).toEqual(codes);
    for (const push of received) expect(Object.keys(push).sort()).toEqual(['at', 'code', 'id', 'mac', 'model', 'mt']);
    for (const push of received) expect(await ack(users, push['id'])).toMatchObject({ ok: true });
    users.close();
    await users.waitClosed();

    expect((await world.adminOk('GET', `/outbox?domain=${DOMAIN}`)).json()).toEqual([]);
    expect(await outboxSize(world.devices.server.context)).toBe(0);
    const again = await world.users();
    await quiet(again);
    again.close();
  }, 60_000);

  it('unacknowledged pushes come again, in order, on every reconnect; a second Users of the domain gets them too, and neither loses one', async () => {
    world = await World.start();
    await world.setUpDomain();
    const first = await world.users();
    const second = await world.users();
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await world.code(first)).code);
    const phones = codes.map((_, i) => phoneNo(2000 + i));
    for (let i = 0; i < 4; i++) await world.provisionPhone(codes[i]!, phones[i]!);

    // both connected Users get every push, live, in order
    const toFirst = await pushes(first, 4);
    const toSecond = await pushes(second, 4);
    expect(toFirst.map((p) => p['mac'])).toEqual(phones.map(macOf));
    expect(toSecond).toEqual(toFirst);

    // the first acknowledges two and goes away; the second goes away without a word
    await ack(first, toFirst[0]!['id']);
    await ack(first, toFirst[2]!['id']);
    first.close();
    second.close();
    await Promise.all([first.waitClosed(), second.waitClosed()]);

    // whoever connects next gets the two left, in order, and nothing else
    const third = await world.users();
    const left = await pushes(third, 2);
    expect(left.map((p) => p['id'])).toEqual([toFirst[1]!['id'], toFirst[3]!['id']]);
    await quiet(third);

    // a duplicate acknowledgement is harmless; an unknown id is an error; the connection stays up
    const head = await world.head();
    expect(await ack(third, toFirst[0]!['id'])).toEqual({ mt: 'PhoneProvisionedAckResult', id: toFirst[0]!['id'], ok: true });
    expect(await world.head()).toBe(head);
    expect(await third.request({ mt: 'PhoneProvisionedAck', id: 'no-such-notice' })).toMatchObject({ error: { code: 'not-found' } });
    expect(await world.head()).toBe(head);
    expect(await third.request({ mt: 'GetCategories' })).toMatchObject({ categories: [{ id: 'office', name: 'Office' }] });
    third.close();
  }, 30_000);

  it('a notice goes only to the Users of its own domain, and only that domain may acknowledge it', async () => {
    world = await World.start();
    await world.setUpDomain();
    await world.setUpDomain('other.example', 'another app password');
    const mine = await world.users();
    const theirs = await world.users('other.example', 'another app password');
    const { code } = await world.code(mine);
    await world.provisionPhone(code, phoneNo(3000));
    const push = await mine.next('PhoneProvisioned');
    await quiet(theirs);
    const head = await world.head();
    expect(await theirs.request({ mt: 'PhoneProvisionedAck', id: push['id'] })).toMatchObject({ error: { code: 'not-found' } });
    expect(await world.head()).toBe(head);
    expect((await world.adminOk('GET', `/outbox?domain=${DOMAIN}`)).json()).toHaveLength(1);
    mine.close();
    theirs.close();
  });
});
