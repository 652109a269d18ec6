/**
 * The phone protocol's rules (SPEC §2 "Rules that hold everywhere", §5.1, §5.4): codes bind
 * to one MAC, a retry rotates the credential, phones of another domain are not moved,
 * guesses are throttled, codes expire, a credential only ever acts as its own phone, and
 * pre-claimed phones wait for approval.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/application/ports/clock';
import { DAY, DOMAIN, FIRMWARE, macOf, phoneNo, START, World } from './support';

describe('Devices phone protocol', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('a code binds to the first MAC; the same MAC again rotates its secret; any other MAC is unknown-code', async () => {
    world = await World.start();
    await world.setUpDomain();
    const users = await world.users();
    const { code } = await world.code(users);
    const phone = phoneNo(1);
    const first = await world.provisionPhone(code, phone);
    await users.next('PhoneProvisioned');

    const retry = await world.phone('provision', { code, ...phone });
    expect(retry.status).toBe(200);
    expect(retry.body.deviceSecret).not.toBe(first.deviceSecret);
    expect((await world.checkIn(first, 'v0')).status).toBe(401);
    expect((await world.checkIn(retry.body, 'v0')).status).toBe(200);
    expect((await world.events(`device-${macOf(phone)}`)).map((e) => e.type)).toEqual(['DeviceProvisioned', 'DeviceCredentialRotated', 'DeviceVersionsChanged']);

    const head = await world.head();
    const other = await world.phone('provision', { code, ...phoneNo(2) });
    expect(other).toMatchObject({ status: 404, body: { code: 'unknown-code', detail: 'unknown code' } });
    const never = await world.phone('provision', { code: '000011112222', ...phoneNo(3) });
    expect(never.body).toEqual({ ...other.body, instance: '/devices/v1/phone/provision' });
    expect(await world.head()).toBe(head);
    // one notice only, for the first provisioning
    await new Promise((r) => setTimeout(r, 500));
    expect(users.messages.filter((m) => m['mt'] === 'PhoneProvisioned')).toEqual([]);
    users.close();
  });

  it('a phone of another domain is refused with device-owned-by-other-domain, without spending the code, until released', async () => {
    world = await World.start();
    await world.setUpDomain();
    await world.setUpDomain('other.example', 'another app password');
    const mine = await world.users();
    const theirs = await world.users('other.example', 'another app password');
    const phone = phoneNo(7);
    const owned = await world.provisionPhone((await world.code(theirs)).code, phone);
    const { code } = await world.code(mine);
    expect((await world.redirectorPhone('redeem', { code, ...phone })).status).toBe(200);
    const head = await world.head();
    const refused = await world.phone('provision', { code, ...phone });
    expect(refused).toMatchObject({ status: 409, body: { code: 'device-owned-by-other-domain' } });
    expect(await world.head()).toBe(head);

    await world.adminOk('POST', `/devices/${phone.mac}/release`, undefined, 204);
    expect((await world.checkIn(owned, 'v0')).status).toBe(401);
    const moved = await world.phone('provision', { code, ...phone });
    expect(moved).toMatchObject({ status: 200, body: { domain: DOMAIN, category: 'office' } });
    expect((await world.adminOk('GET', `/devices?domain=${DOMAIN}`)).json().map((d: { mac: string }) => d.mac)).toEqual([macOf(phone)]);
    expect((await world.adminOk('GET', '/devices?domain=other.example')).json()).toEqual([]);
    mine.close();
    theirs.close();
  });

  it('wrong codes are throttled per MAC (429 with Retry-After, whatever the code) and expire after 7 days', async () => {
    const clock = new ManualClock(START);
    world = await World.start({ clock, env: { ZT_RATE_MAC_BURST: '2', ZT_RATE_MAC_REFILL_MS: '60000' } });
    await world.setUpDomain();
    const users = await world.users();
    const { code } = await world.code(users);
    const phone = phoneNo(9);
    for (let i = 0; i < 2; i++) expect((await world.phone('provision', { code: `99999999999${i}`, ...phone })).status).toBe(404);
    // a malformed code is no guess: it is answered 400 as ever (its format is public)
    expect((await world.phone('provision', { code: '12', ...phone })).status).toBe(400);
    const throttled = await world.phone('provision', { code, ...phone });
    expect(throttled).toMatchObject({ status: 429, body: { code: 'rate-limited' } });
    expect(Number(throttled.headers.get('retry-after'))).toBe(60);
    // another phone behind the same address is not throttled by this MAC
    expect((await world.phone('provision', { code: '999999999990', ...phoneNo(10) })).status).toBe(404);
    clock.advance(60_000);
    expect((await world.phone('provision', { code, ...phone })).status).toBe(200);

    const late = (await world.code(users)).code;
    clock.advance(7 * DAY);
    expect(await world.phone('provision', { code: late, ...phoneNo(11) })).toMatchObject({ status: 404, body: { code: 'unknown-code' } });
    users.close();
  });

  it('a device credential only ever acts as its own phone', async () => {
    world = await World.start();
    await world.setUpDomain();
    const users = await world.users();
    const a = await world.newPhone(users, 21);
    const b = await world.newPhone(users, 22);
    const { jobId } = (await world.adminOk('POST', '/update-jobs', { domain: DOMAIN, category: 'office', firmware: FIRMWARE })).json();
    expect((await world.checkIn(a.credential, 'v0')).body.firmware.jobId).toBe(jobId);
    const head = await world.head();
    const asB = { deviceId: b.credential.deviceId, deviceSecret: a.credential.deviceSecret };
    expect((await world.checkIn({ ...b.credential, ...asB }, 'v0')).status).toBe(401);
    expect((await world.phone('report', { kind: 'firmware', jobId, outcome: 'applied' }, { ...b.credential, ...asB })).status).toBe(401);
    expect(await world.head()).toBe(head);
    // b was never offered the job: its own report is refused, a's is taken
    expect((await world.phone('report', { kind: 'firmware', jobId, outcome: 'applied' }, b.credential)).body).toMatchObject({ status: 409, code: 'conflict' });
    expect(await world.head()).toBe(head);
    expect((await world.phone('report', { kind: 'firmware', jobId, outcome: 'failed', detail: 'checksum' }, a.credential)).status).toBe(204);
    expect((await world.events(`device-${b.mac}`)).map((e) => e.type)).toEqual(['DeviceProvisioned']);
    expect((await world.events(`device-${a.mac}`)).map((e) => e.type)).toEqual(['DeviceProvisioned', 'DeviceVersionsChanged', 'FirmwareOffered', 'FirmwareFailed']);
    users.close();
  });

  it('pre-claimed phones: claims go to the Redirector; the phone provisions without a code and waits, offered nothing, until approved', async () => {
    world = await World.start();
    await world.setUpDomain();
    const users = await world.users();
    const phone = phoneNo(31);
    const claimed = await world.adminOk('POST', '/claims', { macs: [phone.mac, phoneNo(32).mac], domain: DOMAIN, category: 'office' });
    expect(claimed.json()).toEqual({ claimed: 2, redirector: 2 });
    expect(await world.redirectorPhone('init', phone)).toEqual({ status: 200, body: { action: 'redirect', devicesUrl: world.devices.config.publicUrl } });
    await world.adminOk('POST', '/update-jobs', { domain: DOMAIN, category: 'office', firmware: FIRMWARE });

    const unclaimed = await world.phone('provision', { ...phoneNo(33) });
    expect(unclaimed).toMatchObject({ status: 404, body: { code: 'unknown-code' } });
    const waiting = await world.phone('provision', { ...phone });
    expect(waiting.body).toMatchObject({ deviceId: macOf(phone), domain: DOMAIN, category: 'office', state: 'awaiting-approval' });
    expect((await world.checkIn(waiting.body, 'v0')).body).toEqual({ firmware: null, config: null, pollSeconds: 300 });
    expect((await world.adminOk('GET', `/devices?domain=${DOMAIN}&state=awaiting-approval`)).json().map((d: { mac: string }) => d.mac)).toEqual([macOf(phone)]);

    await world.adminOk('POST', `/devices/${phone.mac}/approve`, undefined, 204);
    expect(await users.next('PhoneProvisioned')).toEqual({ mt: 'PhoneProvisioned', id: expect.any(String), mac: macOf(phone), code: null, model: 'IP112', at: START });
    expect((await world.checkIn(waiting.body, 'v0')).body.firmware).not.toBeNull();
    // a MAC alone never takes over a working phone
    expect((await world.phone('provision', { ...phone })).body).toMatchObject({ status: 409, code: 'conflict' });
    // a claim for a phone of another domain is refused as a whole; nothing is recorded, the Redirector not asked
    await world.setUpDomain('other.example', 'another app password');
    const head = await world.head();
    const refused = await world.admin('POST', '/claims', { macs: [phone.mac, phoneNo(34).mac], domain: 'other.example', category: 'office' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toContain(macOf(phone));
    expect(await world.head()).toBe(head);
    expect((await world.redirectorPhone('init', phoneNo(34))).body).toEqual({ action: 'prompt-code' });
    users.close();
  });
});
