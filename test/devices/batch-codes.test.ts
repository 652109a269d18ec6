/** `GetProvisioningCodes` (an addition): many codes in one message, for a rollout. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSocket } from '../support/ws-client';
import { phoneNo, World } from './support';

describe('Devices apps WebSocket: GetProvisioningCodes', () => {
  let world: World;
  let users: TestSocket;

  beforeAll(async () => {
    world = await World.start();
    await world.setUpDomain();
    users = await world.users();
  });
  afterAll(async () => {
    users.close();
    await world.close();
  });

  it('answers count distinct codes, each of which provisions a phone into the category', async () => {
    const result = await users.request({ mt: 'GetProvisioningCodes', category: 'office', count: 40 }, 20_000);
    expect(result['mt']).toBe('GetProvisioningCodesResult');
    const codes = result['codes'] as Array<{ code: string; expiresAt: string }>;
    expect(codes).toHaveLength(40);
    expect(new Set(codes.map((c) => c.code)).size).toBe(40);
    for (const c of codes) expect(c.code).toMatch(/^\d{12}$/);
    const credential = await world.provisionPhone(codes[13]!.code, phoneNo(1));
    expect(credential).toMatchObject({ domain: 'example.com', category: 'office' });
  });

  it.each([
    ['count 0', { category: 'office', count: 0 }, 'validation-failed'],
    ['count 1001', { category: 'office', count: 1001 }, 'validation-failed'],
    ['a fractional count', { category: 'office', count: 1.5 }, 'validation-failed'],
    ['no count', { category: 'office' }, 'validation-failed'],
    ['a count as text', { category: 'office', count: '3' }, 'validation-failed'],
    ['a disabled category', { category: 'lab', count: 3 }, 'forbidden'],
    ['an unknown category', { category: 'attic', count: 3 }, 'not-found'],
  ])('refuses %s with an error result, appending nothing', async (_label, body, code) => {
    const head = await world.head();
    const result = await users.request({ mt: 'GetProvisioningCodes', ...body });
    expect(result).toMatchObject({ mt: 'GetProvisioningCodesResult', error: { code } });
    expect(await world.head()).toBe(head);
  });

  it('is refused before login', async () => {
    const fresh = await world.connectApps();
    await fresh.next('Challenge');
    expect(await fresh.request({ mt: 'GetProvisioningCodes', category: 'office', count: 2 })).toMatchObject({ error: { code: 'unauthorized' } });
    fresh.close();
  });
});
