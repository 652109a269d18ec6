/**
 * Expired codes are purged (docs/events.md): Devices' record of a code, which holds the MAC
 * it bound, is deleted once the code expired; an audit record without the MAC remains; the
 * digits leave the history of the phone the code provisioned (its keyed hash stays) and the
 * outbox. A purge stopped halfway is finished by the next one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { purgeExpiredCodes } from '../../src/application/devices/code-purge';
import { CODE_DOCS, CODES, DIGITS, DUE } from '../../src/application/devices/projections/codes';
import { OUTBOX, PENDING } from '../../src/application/devices/projections/outbox';
import { codeHashOf } from '../../src/application/devices/secrets';
import { ManualClock } from '../../src/application/ports/clock';
import { parseProvisioningCode } from '../../src/domain';
import { DAY, phoneNo, START, World } from './support';

describe('Devices: purge of expired codes', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('deletes the streams of expired codes and keeps an audit record without the MAC', async () => {
    const clock = new ManualClock(START);
    world = await World.start({ clock, partOptions: { purgeIntervalMs: 3_600_000 } });
    await world.setUpDomain();
    const users = await world.users();
    const used = (await world.code(users)).code;
    const unused = (await world.code(users)).code;
    const credential = await world.provisionPhone(used, phoneNo(1));
    const context = world.devices.server.context;
    const hashOf = (code: string) => {
      const parsed = parseProvisioningCode(code);
      if (parsed._tag === 'Left') throw new Error(code);
      return codeHashOf(context.secrets, parsed.right);
    };
    const [usedHash, unusedHash] = [hashOf(used), hashOf(unused)];
    await world.caughtUp();
    expect(await purgeExpiredCodes(context)).toEqual({ codes: 0, phones: 0 });
    expect((await world.events(`deviceCode-${usedHash}`)).map((e) => e.type)).toEqual(['DeviceCodeAssigned', 'DeviceCodeUsed']);
    const mac = phoneNo(1).mac.replace(/:/g, '');
    // before the expiry: the phone's history and the waiting push hold the digits (the Users stand-in never acknowledges)
    expect((await world.events(`device-${mac}`))[0]!.personal).toEqual({ code: used });
    expect(JSON.stringify(await context.readModels.list(OUTBOX, PENDING))).toContain(used);

    clock.advance(7 * DAY);
    // a purge that stopped after deleting one stream, before its audit record
    await context.events.deleteStream(`deviceCode-${usedHash}`);
    expect(await purgeExpiredCodes(context)).toEqual({ codes: 2, phones: 1 });
    for (const hash of [usedHash, unusedHash]) expect(await world.events(`deviceCode-${hash}`)).toEqual([]);
    const audit = await world.events(`deviceCodeAudit-${usedHash}`);
    expect(audit.map((e) => e.data)).toEqual([{ codeHash: usedHash, domain: 'example.com', category: 'office', expiresAt: '2026-03-08T09:00:00.000Z', used: true, at: clock.now().toISOString() }]);
    expect((await world.events(`deviceCodeAudit-${unusedHash}`))[0]?.data).toMatchObject({ used: false });
    expect(await context.readModels.list(CODES, DUE)).toEqual([]);
    expect(await context.readModels.list(CODES, CODE_DOCS)).toEqual([]);
    expect(await context.readModels.list(CODES, DIGITS)).toEqual([]);
    // the history keeps the provisioning with the code's keyed hash, and records the purge
    const history = await world.events(`device-${mac}`);
    expect(history[0]).toMatchObject({ type: 'DeviceProvisioned', data: { codeHash: usedHash }, personal: { code: null } });
    expect(history.at(-1)).toMatchObject({ type: 'DeviceCodesPurged', data: { mac, codeHashes: [usedHash] } });
    const outbox = JSON.stringify(await context.readModels.list(OUTBOX, PENDING));
    expect(outbox).toContain(mac);
    expect(outbox).not.toContain(used);
    const shown = await world.admin('GET', `/devices/${mac}`);
    expect(shown.body).not.toContain(used);
    expect(shown.json().history[0].data).toMatchObject({ codeHash: usedHash, code: null });
    expect(await purgeExpiredCodes(context)).toEqual({ codes: 0, phones: 0 });

    // the phone is not touched; the spent code is refused like any unknown one
    expect((await world.checkIn(credential, 'v0')).status).toBe(200);
    expect((await world.phone('provision', { code: used, ...phoneNo(1) })).body).toMatchObject({ code: 'unknown-code' });
    users.close();
  });

  it('runs in the background', async () => {
    const clock = new ManualClock(START);
    world = await World.start({ clock, partOptions: { purgeIntervalMs: 100 } });
    await world.setUpDomain();
    const users = await world.users();
    await world.code(users);
    await world.caughtUp();
    expect(await world.devices.server.context.readModels.count(CODES, DUE)).toBe(1);
    clock.advance(7 * DAY);
    await expect.poll(() => world!.devices.server.context.readModels.count(CODES, DUE), { timeout: 5000 }).toBe(0);
    users.close();
  });
});
