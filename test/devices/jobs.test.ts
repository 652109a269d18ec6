/**
 * Update and config jobs at check-in (SPEC §2 "Software and config updates", §5.4): a
 * newer job supersedes, `*` loses to a named category, a cancelled job stops matching,
 * config of every type merges; staged waves advance and halt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/application/ports/clock';
import { parseId, parseMac, waveOf } from '../../src/domain';
import type { TestSocket } from '../support/ws-client';
import { DOMAIN, FIRMWARE, World, type Credential } from './support';

const firmware = (version: string) => ({ ...FIRMWARE, version });
const offeredJob = (answer: { body: { firmware: { jobId: string } | null } }) => answer.body.firmware?.jobId ?? null;

describe('Devices: which job a phone gets', () => {
  let world: World;
  let users: TestSocket;
  let office: Credential;
  let kiosk: Credential;

  beforeAll(async () => {
    world = await World.start();
    await world.setUpDomain();
    await world.adminOk('POST', `/domains/${DOMAIN}/categories`, { id: 'kiosk', name: 'Kiosk', provisioning: true });
    users = await world.users();
    office = (await world.newPhone(users, 1, 'office')).credential;
    kiosk = (await world.newPhone(users, 2, 'kiosk')).credential;
  });
  afterAll(async () => {
    users.close();
    await world.close();
  });

  const createUpdateJob = async (category: string, version: string, extra: object = {}): Promise<string> =>
    (await world.adminOk('POST', '/update-jobs', { domain: DOMAIN, category, firmware: firmware(version), ...extra })).json().jobId;

  it('a newer job supersedes; `*` loses to a job naming the category, however new; a cancelled job stops matching', async () => {
    const old = await createUpdateJob('office', 'v1');
    expect(offeredJob(await world.checkIn(office, 'v0'))).toBe(old);
    expect(offeredJob(await world.checkIn(kiosk, 'v0'))).toBeNull();

    const newer = await createUpdateJob('office', 'v2');
    expect(offeredJob(await world.checkIn(office, 'v0'))).toBe(newer);

    const any = await createUpdateJob('*', 'v3');
    expect(offeredJob(await world.checkIn(office, 'v0'))).toBe(newer);
    expect(offeredJob(await world.checkIn(kiosk, 'v0'))).toBe(any);

    await world.adminOk('DELETE', `/update-jobs/${newer}`, undefined, 204);
    expect(offeredJob(await world.checkIn(office, 'v0'))).toBe(old);
    await world.adminOk('DELETE', `/update-jobs/${old}`, undefined, 204);
    expect(offeredJob(await world.checkIn(office, 'v0'))).toBe(any);
    await world.adminOk('DELETE', `/update-jobs/${any}`, undefined, 204);
    expect(offeredJob(await world.checkIn(office, 'v0'))).toBeNull();
    expect(offeredJob(await world.checkIn(kiosk, 'v0'))).toBeNull();

    // cancelled jobs stay in the list, newest first
    const listed = (await world.adminOk('GET', `/update-jobs?domain=${DOMAIN}`)).json();
    expect(listed.map((j: { jobId: string }) => j.jobId)).toEqual([any, newer, old]);
    expect(listed.map((j: { status: string }) => j.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect((await world.adminOk('GET', `/update-jobs?domain=${DOMAIN}&category=office`)).json().map((j: { jobId: string }) => j.jobId)).toEqual([newer, old]);
    const firstPage = await world.adminOk('GET', `/update-jobs?domain=${DOMAIN}&limit=2`);
    expect(firstPage.json()).toHaveLength(2);
    const rest = await world.adminOk('GET', `/update-jobs?domain=${DOMAIN}&limit=2&cursor=${encodeURIComponent(String(firstPage.headers['x-next-cursor']))}`);
    expect(rest.json().map((j: { jobId: string }) => j.jobId)).toEqual([old]);
  });

  it('a phone gets the latest config job of every type, merged; a named category wins per type; cancelling lets the one before match again', async () => {
    const settingsOf = async (credential: Credential) => (await world.checkIn(credential, 'v0')).body.config?.settings ?? null;
    expect(await settingsOf(office)).toBeNull();
    await world.adminOk('POST', '/config-jobs', { domain: DOMAIN, category: '*', type: 'sip', params: { registrar: 'any.example.com' } });
    await world.adminOk('POST', '/config-jobs', { domain: DOMAIN, category: '*', type: 'time', params: { ntp: 'pool.ntp.org' } });
    const officeSip = (await world.adminOk('POST', '/config-jobs', { domain: DOMAIN, category: 'office', type: 'sip', params: { registrar: 'office.example.com' } })).json().jobId;
    await world.adminOk('POST', '/config-jobs', { domain: DOMAIN, category: '*', type: 'sip', params: { registrar: 'newer-any.example.com' } });
    await world.adminOk('POST', '/config-jobs', { domain: DOMAIN, category: 'office', type: 'ldap', params: { server: 'ldap.example.com', port: 636 } });

    expect(await settingsOf(office)).toEqual({ sip: { registrar: 'office.example.com' }, time: { ntp: 'pool.ntp.org' }, ldap: { server: 'ldap.example.com', port: 636 } });
    expect(await settingsOf(kiosk)).toEqual({ sip: { registrar: 'newer-any.example.com' }, time: { ntp: 'pool.ntp.org' } });

    const before = (await world.checkIn(office, 'v0')).body.config.revision;
    await world.adminOk('DELETE', `/config-jobs/${officeSip}`, undefined, 204);
    const after = (await world.checkIn(office, 'v0')).body.config;
    expect(after.settings).toEqual({ sip: { registrar: 'newer-any.example.com' }, time: { ntp: 'pool.ntp.org' }, ldap: { server: 'ldap.example.com', port: 636 } });
    expect(after.revision).not.toBe(before);
    const listed = (await world.adminOk('GET', `/config-jobs?domain=${DOMAIN}&category=office`)).json();
    expect(listed.map((j: { type: string; status: string }) => `${j.type}:${j.status}`)).toEqual(['ldap:active', 'sip:cancelled']);
  });
});

describe('Devices: staged update waves', () => {
  let world: World;
  let users: TestSocket;
  const clock = new ManualClock('2026-03-01T09:00:00.000Z');
  const phones: Array<{ mac: string; credential: Credential }> = [];

  beforeAll(async () => {
    world = await World.start({ clock, partOptions: { waveIntervalMs: 100 } });
    await world.setUpDomain();
    users = await world.users();
    for (let i = 0; i < 12; i++) {
      const { mac, credential } = await world.newPhone(users, 100 + i);
      phones.push({ mac, credential });
    }
  });
  afterAll(async () => {
    users.close();
    await world.close();
  });

  const waveOfPhone = (jobId: string, mac: string): number => {
    const id = parseId(jobId);
    const m = parseMac(mac);
    if (id._tag === 'Left' || m._tag === 'Left') throw new Error('bad id');
    return waveOf([50, 100], m.right, id.right);
  };
  /** the phones offered firmware when each checks in running `version` (one for all, or by MAC) */
  const offered = async (version: string | ((mac: string) => string) = 'v0'): Promise<string[]> => {
    const out: string[] = [];
    for (const p of phones) {
      if ((await world.checkIn(p.credential, typeof version === 'string' ? version : version(p.mac))).body.firmware) out.push(p.mac);
    }
    return out;
  };
  const progress = async (jobId: string) => (await world.adminOk('GET', `/update-jobs?domain=${DOMAIN}`)).json().find((j: { jobId: string }) => j.jobId === jobId);

  it('only the phones of the open wave are offered the firmware; the wave advances once they all applied it', async () => {
    const { jobId } = (await world.adminOk('POST', '/update-jobs', { domain: DOMAIN, category: 'office', firmware: firmware('w1'), waves: [50, 100], failureThreshold: 0.5 })).json();
    const first = phones.filter((p) => waveOfPhone(jobId, p.mac) === 0).map((p) => p.mac);
    expect(first.length).toBeGreaterThan(0);
    expect(first.length).toBeLessThan(phones.length);
    expect(await offered()).toEqual(first);
    expect((await world.adminOk('POST', `/update-jobs/${jobId}/advance`, undefined, 200)).json()).toEqual({ jobId, outcome: 'waiting', status: 'running', openWave: 0 });

    for (const p of phones.filter((q) => first.includes(q.mac))) await world.checkIn(p.credential, 'w1');
    expect((await progress(jobId)).progress).toEqual([
      { wave: 0, percent: 50, open: true, offered: first.length, applied: first.length, failed: 0 },
      { wave: 1, percent: 100, open: false, offered: 0, applied: 0, failed: 0 },
    ]);
    expect((await world.adminOk('POST', `/update-jobs/${jobId}/advance`, undefined, 200)).json()).toEqual({ jobId, outcome: 'advanced', status: 'running', openWave: 1 });
    expect((await offered((mac) => (first.includes(mac) ? 'w1' : 'v0'))).sort()).toEqual(phones.filter((p) => !first.includes(p.mac)).map((p) => p.mac).sort());
    for (const p of phones) await world.checkIn(p.credential, 'w1');
  });

  it('a wave that fails too often halts the job: nobody is offered its firmware; cancelling it lets the job before match again', async () => {
    const { jobId } = (await world.adminOk('POST', '/update-jobs', { domain: DOMAIN, category: 'office', firmware: firmware('w2'), waves: [50, 100], failureThreshold: 0.1 })).json();
    const first = phones.filter((p) => waveOfPhone(jobId, p.mac) === 0);
    expect((await offered('w1')).sort()).toEqual(first.map((p) => p.mac).sort());
    for (const p of first) {
      const report = await world.phone('report', { kind: 'firmware', jobId, outcome: 'failed', detail: 'flash\u0000 write error' }, p.credential);
      expect(report.status).toBe(204);
    }
    expect((await world.adminOk('POST', `/update-jobs/${jobId}/advance`, undefined, 200)).json()).toEqual({ jobId, outcome: 'halted', status: 'halted', openWave: 0 });
    expect(await offered('w1')).toEqual([]);
    expect((await progress(jobId)).status).toBe('halted');
    await world.adminOk('DELETE', `/update-jobs/${jobId}`, undefined, 204);
    expect(await offered('w1')).toEqual([]);
    expect((await offered('w0')).length).toBe(phones.length);
  });

  it('the background process advances a wave once it has soaked for two poll intervals', async () => {
    const { jobId } = (await world.adminOk('POST', '/update-jobs', { domain: DOMAIN, category: 'office', firmware: firmware('w3'), waves: [50, 100] })).json();
    const first = phones.filter((p) => waveOfPhone(jobId, p.mac) === 0);
    await offered('w1');
    for (const p of first) await world.checkIn(p.credential, 'w3');
    await new Promise((r) => setTimeout(r, 400));
    expect((await progress(jobId)).openWave).toBe(0);
    clock.advance(2 * 300 * 1000);
    await expect.poll(async () => (await progress(jobId)).openWave, { timeout: 5000 }).toBe(1);
    expect((await progress(jobId)).openedAt).toBe(clock.now().toISOString());
  });
});
