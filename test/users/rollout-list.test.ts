/**
 * The past rollouts (UsersAdmin `GetRollouts`, `GET /users/v1/admin/rollouts`): newest
 * first, each with how many users are pending, registered and expired at the clock's now,
 * paged with a cursor; bad paging is refused and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSocket } from '../support/ws-client';
import { admin, createPhoneApp, DAY, head, importCsv, usersAdmin } from './support';
import { phoneNo, World } from './world';

describe('the past rollouts', () => {
  let world: World;
  let ws: TestSocket;
  const ids: string[] = [];

  beforeAll(async () => {
    world = await World.start();
    const users = await world.startUsers();
    expect((await importCsv(users, 'ann,Ann\nben,Ben\ncid,Cid\n')).json()).toMatchObject({ created: 3 });
    await createPhoneApp(users);
    await world.connected();
    ws = await usersAdmin(users);
  });
  afterAll(async () => {
    ws?.close();
    await world?.close();
  });

  it('lists them newest first with their counts, over the WebSocket and HTTP, paged', async () => {
    const first = await ws.request({ mt: 'StartRollout', category: 'office', phoneApp: 'phone', users: ['ann', 'ben'] });
    ids.push(String(first['rolloutId']));
    world.clock.advance(DAY);
    const second = await ws.request({ mt: 'StartRollout', category: 'office', phoneApp: 'phone', users: ['cid'] });
    ids.push(String(second['rolloutId']));
    const [, ben] = first['entries'] as Array<{ code: string }>;
    await world.provision(ben!.code, phoneNo(700));
    await ws.next((m) => m['mt'] === 'RolloutEntryUpdated' && m['state'] === 'registered');
    // the first rollout's codes expire a day before the second's
    world.clock.advance(6 * DAY + 60_000);

    const listed = await ws.request({ mt: 'GetRollouts', src: 'l' });
    expect(listed).toEqual({
      mt: 'GetRolloutsResult',
      src: 'l',
      rollouts: [
        { rolloutId: ids[1], category: 'office', phoneApp: 'phone', startedAt: expect.any(String), users: 1, pending: 1, registered: 0, expired: 0 },
        { rolloutId: ids[0], category: 'office', phoneApp: 'phone', startedAt: expect.any(String), users: 2, pending: 0, registered: 1, expired: 1 },
      ],
      next: null,
    });

    const page1 = await ws.request({ mt: 'GetRollouts', limit: 1 });
    expect((page1['rollouts'] as Array<{ rolloutId: string }>).map((r) => r.rolloutId)).toEqual([ids[1]]);
    const page2 = await ws.request({ mt: 'GetRollouts', limit: 1, cursor: page1['next'] });
    expect((page2['rollouts'] as Array<{ rolloutId: string }>).map((r) => r.rolloutId)).toEqual([ids[0]]);

    const http = await admin(world.requireUsers(), 'GET', '/rollouts?limit=1');
    expect(http.statusCode).toBe(200);
    expect(http.json()).toEqual([(listed['rollouts'] as unknown[])[0]]);
    expect(http.headers['x-next-cursor']).toBe(page1['next']);
    const older = await admin(world.requireUsers(), 'GET', `/rollouts?cursor=${String(http.headers['x-next-cursor'])}`);
    expect(older.json()).toEqual([(listed['rollouts'] as unknown[])[1]]);
  });

  it('refuses bad paging and appends nothing', async () => {
    const users = world.requireUsers();
    const before = await head(users);
    for (const query of ['limit=0', 'limit=101', 'limit=x', 'cursor=abc', `cursor=${'9'.repeat(17)}`]) {
      const res = await admin(users, 'GET', `/rollouts?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation-failed' });
    }
    for (const bad of [{ limit: 0 }, { limit: 101 }, { cursor: 'abc' }, { cursor: 5 }]) {
      expect(await ws.request({ mt: 'GetRollouts', ...bad })).toMatchObject({ error: { code: 'validation-failed' } });
    }
    expect(await head(users)).toBe(before);
  });
});
