/**
 * The phone list for fleets of thousands: narrowed on the server by part of the MAC,
 * model and firmware (with domain, category and state), paged without gaps or repeats;
 * and a phone's page: what it is offered now (firmware, merged config) and when it got
 * each update and config.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestSocket } from '../support/ws-client';
import { SEARCH_SCAN } from '../../src/application/devices/device-queries';
import { DOMAIN, FIRMWARE, World, type Credential } from './support';

describe('Devices admin: searching the phones', () => {
  let world: World;
  let users: TestSocket;
  const phones: Array<{ mac: string; credential: Credential; model: string }> = [];

  beforeAll(async () => {
    world = await World.start();
    await world.setUpDomain();
    users = await world.users();
    for (let n = 1; n <= 6; n++) {
      const model = n % 2 ? 'IP112' : 'IP232';
      const { mac, credential } = await world.newPhone(users, n, 'office', model);
      phones.push({ mac, credential, model });
    }
    expect((await world.checkIn(phones[2]!.credential, '13r2 sr1')).status).toBe(200);
    await world.caughtUp();
  });
  afterAll(async () => {
    users.close();
    await world.close();
  });

  const list = async (query: string): Promise<{ macs: string[]; next: string | undefined; body: any[] }> => {
    const res = await world.adminOk('GET', `/devices?${query}`);
    const body = res.json() as Array<{ mac: string }>;
    return { macs: body.map((d) => d.mac), next: res.headers['x-next-cursor'] as string | undefined, body };
  };

  it('by model, by firmware, by part of the MAC in any spelling', async () => {
    const ip232 = await list('model=IP232');
    expect(ip232.macs.sort()).toEqual(phones.filter((p) => p.model === 'IP232').map((p) => p.mac).sort());
    expect((await list('firmware=13r2%20sr1')).macs).toEqual([phones[2]!.mac]);
    const tail = phones[4]!.mac.slice(-4);
    expect((await list(`mac=${tail.slice(0, 2)}:${tail.slice(2).toUpperCase()}`)).macs).toEqual([phones[4]!.mac]);
    expect((await list(`mac=${phones[1]!.mac}&model=IP112`)).macs).toEqual([]);
    expect((await list(`domain=${DOMAIN}&category=office&state=active&model=IP112&firmware=13r1%20sr1`)).macs.sort()).toEqual([phones[0]!.mac, phones[4]!.mac].sort());
  });

  it('pages a search without gaps or repeats, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(`mac=00:90:33&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.macs.length).toBeLessThanOrEqual(2);
      seen.push(...page.macs);
      cursor = page.next;
    } while (cursor !== undefined);
    expect(seen).toEqual([...phones].reverse().map((p) => p.mac));
  });

  it('refuses a search that is no part of a MAC, model or version', async () => {
    for (const query of ['mac=zz', 'mac=0090330000001', `model=${'x'.repeat(200)}`, 'firmware=%00']) {
      const res = await world.admin('GET', `/devices?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation-failed' });
    }
  });

  it("a phone's page: what it is offered now, and when it got each job", async () => {
    const job = (await world.adminOk('POST', '/update-jobs', { domain: DOMAIN, category: 'office', firmware: { ...FIRMWARE, version: '13r3 sr9' } })).json().jobId;
    await world.adminOk('POST', '/config-jobs', { domain: DOMAIN, category: '*', type: 'sip', params: { registrar: 'sip.example.com' } });
    const phone = phones[0]!;
    const offered = await world.checkIn(phone.credential, '13r1 sr1');
    expect(offered.body.firmware).toMatchObject({ jobId: job });
    expect((await world.phone('report', { kind: 'firmware', jobId: job, outcome: 'applied' }, phone.credential)).status).toBe(204);
    const config = await world.checkIn(phone.credential, '13r3 sr9');
    expect(config.body.config).toMatchObject({ settings: { sip: { registrar: 'sip.example.com' } } });

    const details = (await world.adminOk('GET', `/devices/${phone.mac}`)).json();
    expect(details.current).toEqual({ updateJob: { jobId: job, version: '13r3 sr9' }, config: { revision: config.body.config.revision, settings: { sip: { registrar: 'sip.example.com' } } } });
    expect(details.firmware).toBe('13r3 sr9');
    expect(details.firmwareJobs).toEqual([{ jobId: job, version: '13r3 sr9', outcome: 'applied', offeredAt: expect.any(String), reportedAt: expect.any(String) }]);
    expect(details.configs).toEqual([{ revision: config.body.config.revision, outcome: 'offered', offeredAt: expect.any(String), reportedAt: null }]);
    const types = (details.history as Array<{ type: string }>).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['DeviceProvisioned', 'FirmwareOffered', 'FirmwareApplied', 'ConfigOffered']));
  });

  it(`a search reads at most ${SEARCH_SCAN} phones a request, then answers with a cursor to go on`, async () => {
    // more claimed phones than one request reads: none of them matches the model
    const total = SEARCH_SCAN + 500;
    for (let start = 0; start < total; start += 1000) {
      const macs = Array.from({ length: Math.min(1000, total - start) }, (_, i) => `0090aa${(start + i).toString(16).padStart(6, '0')}`);
      await world.adminOk('POST', '/claims', { macs, domain: DOMAIN, category: 'office' });
    }
    await world.caughtUp();
    const first = await list('model=IP232&limit=10');
    expect(first.macs).toEqual([]);
    expect(first.next).toBeDefined();
    // the rest of the claimed phones, then the provisioned ones (older), of which three match
    const second = await list(`model=IP232&limit=10&cursor=${first.next}`);
    expect(second.macs.sort()).toEqual(phones.filter((p) => p.model === 'IP232').map((p) => p.mac).sort());
    expect(second.next).toBeUndefined();
  }, 120_000);
});
