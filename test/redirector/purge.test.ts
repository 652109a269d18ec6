/**
 * Expiry and purge: 7 days after issue a code is refused, and its stream (MAC, local IP,
 * model, versions, time of first connect) and read-model rows are deleted; an audit
 * record without personal data remains. By the scheduler at start and on its interval,
 * by `zerotouch codes purge-expired`, at once on revocation, and finished after a purge
 * that stopped half-way.
 */
import Database from 'better-sqlite3';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { codesCommand } from '../../src/adapters/cli/codes';
import { ManualClock } from '../../src/application/ports/clock';
import { handle } from '../../src/application/command-handler';
import { provisioningCode } from '../../src/application/redirector/aggregates';
import { CODE_EXPIRY, CODES, DUE } from '../../src/application/redirector/projections/code-expiry';
import { INSTALLATIONS, INSTALLATIONS_PROJECTION } from '../../src/application/redirector/projections/installations';
import { purgeExpiredCodes } from '../../src/application/redirector/purge-expired';
import type { PurgeResult } from '../../src/application/redirector/purge-codes';
import { codeHashOf } from '../../src/application/redirector/secrets';
import { BackgroundWork } from '../../src/adapters/server/background';
import { ProvisioningCode, timestampFromMillis, type Digest } from '../../src/domain';
import type { ProvisioningCode as Code } from '../../src/domain/values';
import { allEvents, bearer, caughtUp, DAY, issueCode, PHONE, redeem, registerInstallation, START, startRedirector, type Redirector } from './support';

const PERSONAL = ['009033aabb01', PHONE.localIp, PHONE.model, PHONE.firmware, PHONE.bootcode];
const EXPIRED_AT = new Date(Date.parse(START) + 7 * DAY + 60_000).toISOString();

const open: Redirector[] = [];
const track = (r: Redirector): Redirector => {
  open.push(r);
  return r;
};
afterEach(async () => {
  for (const r of open.splice(0).reverse()) await r.close();
});

const hashOf = (r: Redirector, code: string): Digest => codeHashOf(r.test.server.context.secrets, code as Code);

async function readModelRows(r: Redirector): Promise<string> {
  const rm = r.test.server.storage.readModels;
  const rows = [
    ...(await rm.list(CODE_EXPIRY, CODES, { limit: 10_000 })),
    ...(await rm.list(CODE_EXPIRY, DUE, { limit: 10_000 })),
    ...(await rm.list(INSTALLATIONS_PROJECTION, INSTALLATIONS, { limit: 10_000 })),
  ];
  return JSON.stringify(rows);
}

/** What a code leaves behind: no stream, no personal data anywhere, one audit record. */
async function expectPurged(r: Redirector, code: string, expected: { reason: 'expired' | 'revoked'; redeemed: boolean }): Promise<void> {
  const hash = hashOf(r, code);
  const events = r.test.server.storage.events;
  expect((await events.readStream(ProvisioningCode.streamName(hash))).streamExists).toBe(false);
  const audit = await events.readStream(`codeAudit-${hash}`);
  expect(audit.events).toHaveLength(1);
  expect(Object.keys(audit.events[0]!.data).sort()).toEqual(['at', 'codeHash', 'devicesUrl', 'endedAt', 'expiresAt', 'installationId', 'issuedAt', 'reason', 'redeemed']);
  expect(audit.events[0]!.data).toMatchObject(expected);
  const rows = await readModelRows(r);
  expect(rows).not.toContain(hash);
}

async function expectNoPersonalData(r: Redirector): Promise<void> {
  const everything = JSON.stringify(await allEvents(r)) + (await readModelRows(r));
  for (const value of PERSONAL) expect(everything).not.toContain(value);
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** an installation, a code a phone redeemed, a code never redeemed, and a code issued 3 days later */
async function seed(r: Redirector) {
  const { apiKey } = await registerInstallation(r);
  const redeemed = await issueCode(r, apiKey);
  expect((await redeem(r, redeemed.code)).statusCode).toBe(200);
  const unused = await issueCode(r, apiKey);
  r.clock.advance(3 * DAY);
  const young = await issueCode(r, apiKey);
  r.clock.advance(-3 * DAY);
  await caughtUp(r);
  expect(JSON.stringify(await allEvents(r))).toContain('009033aabb01');
  return { apiKey, redeemed: redeemed.code, unused: unused.code, young: young.code };
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (store) => {
  it('the scheduler purges expired codes when the server starts, and keeps the young one', async () => {
    const first = await startRedirector({ store });
    const codes = await seed(first);
    await first.close({ keepData: true });
    const r = track(await startRedirector({ storeUrl: first.test.storeUrl, dataDir: first.test.dataDir, clock: new ManualClock(EXPIRED_AT) }));
    await until('the purge at start', async () => ((await r.test.server.storage.events.readStream(`codeAudit-${hashOf(r, codes.unused)}`)).streamExists ? true : undefined));
    await until('the second audit record', async () => ((await r.test.server.storage.events.readStream(`codeAudit-${hashOf(r, codes.redeemed)}`)).streamExists ? true : undefined));
    await caughtUp(r);
    await expectPurged(r, codes.redeemed, { reason: 'expired', redeemed: true });
    await expectPurged(r, codes.unused, { reason: 'expired', redeemed: false });
    await expectNoPersonalData(r);
    expect((await redeem(r, codes.redeemed)).statusCode).toBe(404);
    expect(await readModelRows(r)).toContain(hashOf(r, codes.young));
    expect((await redeem(r, codes.young)).statusCode).toBe(200);
    expect((await r.app.inject('/metrics')).body).toMatch(/^zt_redirector_codes_purged_total\{reason="expired"\} 2$/m);
  });

  it('a revoked code is purged at once', async () => {
    const r = track(await startRedirector({ store }));
    const codes = await seed(r);
    const res = await r.app.inject({ method: 'DELETE', url: `/redirector/v1/codes/${codes.redeemed}`, headers: bearer(codes.apiKey) });
    expect(res.statusCode).toBe(204);
    await caughtUp(r);
    await expectPurged(r, codes.redeemed, { reason: 'revoked', redeemed: true });
    await expectNoPersonalData(r);
  });
});

describe('the purge', () => {
  it('runs again on its interval, with the time of the clock port', async () => {
    const r = track(await startRedirector());
    const codes = await seed(r);
    // every pass the scheduler runs, as it reports it (a blind wait would pass with no pass at all)
    const passes: PurgeResult[] = [];
    const scheduler = new BackgroundWork(r.test.server.context.logger);
    scheduler.every(20, async () => passes.push(await purgeExpiredCodes(r.test.server.context)), 'purge of expired codes', { now: true });
    try {
      await until('three passes before the expiry', async () => (passes.length >= 3 ? true : undefined));
      // they ran with the clock's time, 7 days not passed: nothing purged, the code still works
      for (const pass of passes) expect(pass.purged).toEqual({ expired: 0, revoked: 0 });
      expect((await redeem(r, codes.redeemed)).statusCode).toBe(200);
      expect((await r.test.server.storage.events.readStream(ProvisioningCode.streamName(hashOf(r, codes.redeemed)))).streamExists).toBe(true);
      const before = passes.length;
      r.clock.set(EXPIRED_AT);
      const purging = await until('a pass on the interval that purges', async () => passes.slice(before).find((p) => p.purged.expired > 0));
      expect(purging.purged).toEqual({ expired: 2, revoked: 0 });
    } finally {
      await scheduler.stop();
    }
    await caughtUp(r);
    await expectPurged(r, codes.redeemed, { reason: 'expired', redeemed: true });
    await expectNoPersonalData(r);
  });

  it('a code is refused from the moment of its expiry, before any purge', async () => {
    const r = track(await startRedirector());
    const codes = await seed(r);
    r.clock.set(new Date(Date.parse(START) + 7 * DAY - 1).toISOString());
    expect((await redeem(r, codes.redeemed)).statusCode).toBe(200);
    r.clock.advance(1);
    expect((await redeem(r, codes.redeemed)).json()).toMatchObject({ status: 404, code: 'unknown-code' });
  });

  it('finishes a purge that stopped after deleting the stream: the audit record comes from the read model', async () => {
    const r = track(await startRedirector());
    const codes = await seed(r);
    const events = r.test.server.storage.events;
    const hash = hashOf(r, codes.redeemed);
    r.clock.set(EXPIRED_AT);
    // what a purge does before it stops: the code expires, the read model sees it, the stream is deleted
    const expired = await handle(events, ProvisioningCode.streamName(hash), provisioningCode, { type: 'ExpireCode', codeHash: hash, now: timestampFromMillis(Date.parse(EXPIRED_AT)) }, { random: r.test.server.context.random });
    expect(expired._tag).toBe('Right');
    await caughtUp(r);
    await events.deleteStream(ProvisioningCode.streamName(hash));
    const result = await purgeExpiredCodes(r.test.server.context);
    expect(result.purged).toEqual({ expired: 2, revoked: 0 });
    await caughtUp(r);
    await expectPurged(r, codes.redeemed, { reason: 'expired', redeemed: true });
    expect((await events.readStream(`codeAudit-${hash}`)).events[0]!.data).toMatchObject({ endedAt: EXPIRED_AT });
    await expectNoPersonalData(r);
  });

  it('`zerotouch codes purge-expired` purges once and says how many; the SQLite file holds no personal data', async () => {
    const first = await startRedirector();
    const codes = await seed(first);
    await first.close({ keepData: true });
    const env = { ZT_DATA_DIR: first.test.dataDir, ZT_STORE: first.test.storeUrl, ZT_LOG_LEVEL: 'silent' };
    const run = async (): Promise<string> => {
      let text = '';
      const out = new Writable({
        write(chunk, _encoding, done) {
          text += String(chunk);
          done();
        },
      });
      expect(await codesCommand(['purge-expired'], { env, out, clock: new ManualClock(EXPIRED_AT) })).toBe(0);
      return text;
    };
    expect(await run()).toBe('purged 2 codes (2 expired, 0 revoked)\ndevices: archived 0 expired codes; digits purged from 0 phones\nusers: purged the personal data of 0 streams\n');
    expect(await run()).toMatch(/^purged 0 codes \(0 expired, 0 revoked\)\n/);
    const db = new Database(first.test.storeUrl.slice('sqlite:'.length), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
      const dump = JSON.stringify(tables.map(({ name }) => db.prepare(`SELECT * FROM "${name}"`).all()));
      expect(dump).toContain(hashOf(first, codes.young));
      for (const value of PERSONAL) expect(dump).not.toContain(value);
    } finally {
      db.close();
    }
    const r = track(await startRedirector({ storeUrl: first.test.storeUrl, dataDir: first.test.dataDir, clock: new ManualClock(START) }));
    await caughtUp(r);
    await expectPurged(r, codes.redeemed, { reason: 'expired', redeemed: true });
    await expectPurged(r, codes.unused, { reason: 'expired', redeemed: false });
  });

  it('`zerotouch codes` wants purge-expired', async () => {
    await expect(codesCommand(['purge'], { env: {} })).rejects.toThrow(/purge-expired/);
  });
});
