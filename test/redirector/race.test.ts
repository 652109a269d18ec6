/**
 * Two MACs redeeming one code at the same moment: exactly one wins, the other gets 404,
 * across two server instances (separate connection pools) on one store: one SQLite file,
 * one PostgreSQL database. Over real HTTP on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/application/ports/clock';
import { purgeExpiredCodes } from '../../src/application/redirector/purge-expired';
import { codeHashOf } from '../../src/application/redirector/secrets';
import { ProvisioningCode } from '../../src/domain';
import type { ProvisioningCode as Code } from '../../src/domain/values';
import { startTestServer, type TestServer } from '../support/server';

const CODES = 60;

const json = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

const phone = (mac: string) => ({ mac, model: 'IP112', firmware: '13r1', bootcode: '13r1 boot', localIp: '192.0.2.20' });

describe.each(['sqlite', 'postgres'] as const)('racing redeems on %s, two server instances on one store', (store) => {
  const servers: TestServer[] = [];
  const clocks = [new ManualClock('2026-03-01T09:00:00.000Z'), new ManualClock('2026-03-01T09:00:00.000Z')] as const;
  let codes: string[] = [];
  afterAll(async () => {
    for (const s of servers.reverse()) await s.close();
  });

  it('exactly one of two MACs wins each code; the loser gets 404 unknown-code', async () => {
    // every process of one Redirector shares the server secret (the key of the code hashes) and the operator token
    const env = {
      ZT_SERVER_SECRET: randomBytes(32).toString('base64'),
      ZT_OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
      ZT_RATE_IP_BURST: '1000000',
      ZT_RATE_MAC_BURST: '1000000',
    };
    const a = await startTestServer({ parts: ['redirector'], store, env, clock: clocks[0] });
    servers.push(a);
    const b = await startTestServer({ parts: ['redirector'], storeUrl: a.storeUrl, env, clock: clocks[1] });
    servers.push(b);

    const registered = await json(`${a.url}/redirector/v1/installations`, { name: 'Race', devicesUrl: 'https://race.example.com' }, { authorization: `Bearer ${env.ZT_OPERATOR_TOKEN}` });
    expect(registered.status).toBe(201);
    const apiKey = String(registered.body['apiKey']);
    codes = await Promise.all(
      Array.from({ length: CODES }, async (_, i) => {
        const issued = await json(`${(i % 2 === 0 ? a : b).url}/redirector/v1/codes`, { devicesUrl: 'https://race.example.com' }, { authorization: `Bearer ${apiKey}` });
        expect(issued.status).toBe(201);
        return String(issued.body['code']);
      }),
    );

    const macOf = (i: number, side: number) => `00903${side}${i.toString(16).padStart(6, '0')}`;
    const results = await Promise.all(
      codes.flatMap((code, i) =>
        [a, b].map(async (server, side) => ({ code, side, ...(await json(`${server.url}/redirector/v1/phone/redeem`, { code, ...phone(macOf(i, side)) })) })),
      ),
    );

    for (const [i, code] of codes.entries()) {
      const pair = results.filter((r) => r.code === code);
      expect(pair.map((r) => r.status).sort()).toEqual([200, 404]);
      const winner = pair.find((r) => r.status === 200)!;
      const loser = pair.find((r) => r.status === 404)!;
      expect(winner.body).toEqual({ devicesUrl: 'https://race.example.com' });
      expect(loser.body).toMatchObject({ code: 'unknown-code', detail: 'unknown code' });
      // the stream holds one redemption, by the winner
      const stream = await a.server.storage.events.readStream(ProvisioningCode.streamName(codeHashOf(a.server.context.secrets, code as Code)));
      const redeemed = stream.events.filter((e) => e.type === 'CodeRedeemed');
      expect(redeemed).toHaveLength(1);
      expect(redeemed[0]!.data['mac']).toBe(macOf(i, winner.side));
      // afterwards, on either server: the winner again gets its URL, the loser again 404
      const again = await json(`${b.url}/redirector/v1/phone/redeem`, { code, ...phone(macOf(i, winner.side)) });
      expect(again.status).toBe(200);
      expect((await json(`${a.url}/redirector/v1/phone/redeem`, { code, ...phone(macOf(i, loser.side)) })).status).toBe(404);
    }
  });

  it('both processes purging the expired codes at once: each code is purged once, with one audit record', async () => {
    const [a, b] = servers as [TestServer, TestServer];
    for (const clock of clocks) clock.advance(7 * 86_400_000 + 60_000);
    const [first, second] = await Promise.all([purgeExpiredCodes(a.server.context), purgeExpiredCodes(b.server.context)]);
    expect(first.purged.expired + second.purged.expired).toBe(CODES);
    expect(first.deferred + second.deferred).toBe(0);
    for (const code of codes) {
      const hash = codeHashOf(a.server.context.secrets, code as Code);
      expect((await b.server.storage.events.readStream(ProvisioningCode.streamName(hash))).streamExists).toBe(false);
      const audit = await b.server.storage.events.readStream(`codeAudit-${hash}`);
      expect(audit.events.map((e) => [e.type, e.data['redeemed'], e.data['reason']])).toEqual([['CodeHistoryArchived', true, 'expired']]);
    }
  });
});
