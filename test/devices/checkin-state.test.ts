/**
 * The check-in decides on the phone's Device aggregate, folded from its stream, never on
 * its read-model document (SPEC §3): with the projections stopped, so that every document
 * is stale, what was appended to the stream a moment ago counts at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deviceAggregate } from '../../src/application/devices/aggregates';
import { handle } from '../../src/application/command-handler';
import { Device, parseMac, timestampFromMillis } from '../../src/domain';
import { rightOf } from '../domain/decider-spec';
import { macOf, phoneNo, World } from './support';

describe('the check-in decides on the Device aggregate', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('a phone released a moment ago is refused, though its document still says active', async () => {
    world = await World.start();
    await world.setUpDomain();
    const users = await world.users();
    const { code } = await world.code(users);
    const phone = phoneNo(1);
    const credential = await world.provisionPhone(code, phone);
    expect((await world.checkIn(credential, 'v0')).status).toBe(200);

    const { server } = world.devices;
    await server.runner.stop();
    const mac = rightOf(parseMac(macOf(phone)));
    const released = await handle(server.storage.events, Device.streamName(mac), deviceAggregate, { type: 'ReleaseDevice', mac, domain: null, now: timestampFromMillis(world.clock.now().getTime()) }, { random: server.context.random });
    expect(released._tag).toBe('Right');
    const doc = await server.storage.readModels.get<{ state: { status: string } }>('devices.devices', 'devices', mac);
    expect(doc?.state.status).toBe('active');

    const answer = await world.checkIn(credential, 'v0');
    expect(answer.status).toBe(401);
    expect((await world.events(Device.streamName(mac))).map((e) => e.type)).toEqual(['DeviceProvisioned', 'DeviceVersionsChanged', 'DeviceReleased']);
  });

  it('a rotated credential counts at once: the new one is taken, the old one refused', async () => {
    world = await World.start();
    await world.setUpDomain();
    const users = await world.users();
    const { code } = await world.code(users);
    const phone = phoneNo(2);
    const first = await world.provisionPhone(code, phone);
    await world.devices.server.runner.stop();
    // the retry rotates the credential; its answer waits for the document a while, then comes anyway
    const retry = await world.phone('provision', { code, ...phone });
    expect(retry.status).toBe(200);
    expect((await world.checkIn(first, 'v0')).status).toBe(401);
    expect((await world.checkIn(retry.body, 'v0')).status).toBe(200);
  }, 20_000);
});
