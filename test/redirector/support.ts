/** Helpers for the Redirector's tests: a server with a manual clock, and the calls a Devices and a phone make. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { ManualClock } from '../../src/application/ports/clock';
import type { RecordedEvent } from '../../src/application/ports/event-store';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/server';

export const START = '2026-03-01T09:00:00.000Z';
export const DAY = 86_400_000;

export interface Redirector {
  readonly test: TestServer;
  readonly app: FastifyInstance;
  readonly clock: ManualClock;
  readonly operator: Record<string, string>;
  close(options?: { keepData?: boolean }): Promise<void>;
}

export async function startRedirector(options: TestServerOptions & { clock?: ManualClock } = {}): Promise<Redirector> {
  const clock = options.clock ?? new ManualClock(START);
  const test = await startTestServer({ parts: ['redirector'], ...options, clock });
  return {
    test,
    app: test.server.app,
    clock,
    operator: { authorization: `Bearer ${test.config.operatorToken}` },
    close: (o) => test.close(o),
  };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

export const PHONE = { mac: '00:90:33:aa:bb:01', model: 'IP112', firmware: '13r1 sr2 [13.7150]', bootcode: '13r1 boot', localIp: '192.0.2.10' } as const;
export const OTHER_PHONE = { mac: '00:90:33:aa:bb:02', model: 'IP232', firmware: '13r1', bootcode: '13r1 boot', localIp: '192.0.2.11' } as const;

export const post = (app: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}, remoteAddress?: string): Promise<LightMyRequestResponse> =>
  app.inject({
    method: 'POST',
    url: `/redirector/v1${url}`,
    headers: { 'content-type': 'application/json', ...headers },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    ...(remoteAddress ? { remoteAddress } : {}),
  });

export async function registerInstallation(r: Redirector, devicesUrl = 'https://devices.example.com', name = 'ACME'): Promise<{ installationId: string; apiKey: string }> {
  const res = await post(r.app, '/installations', { name, devicesUrl }, r.operator);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export async function issueCode(r: Redirector, apiKey: string, devicesUrl = 'https://devices.example.com'): Promise<{ code: string; expiresAt: string }> {
  const res = await post(r.app, '/codes', { devicesUrl }, bearer(apiKey));
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export const redeem = (r: Redirector, code: string, phone: object = PHONE, remoteAddress?: string): Promise<LightMyRequestResponse> =>
  post(r.app, '/phone/redeem', { code, ...phone }, {}, remoteAddress);

export const head = (r: Redirector): Promise<number> => r.test.server.storage.events.headPosition();

/** every event the store holds, as one list */
export async function allEvents(r: Redirector): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (let after = 0; ; ) {
    const page = await r.test.server.storage.events.readAll({ after, limit: 10_000 });
    out.push(...page.events);
    if (page.events.length === 0) return out;
    after = page.position;
  }
}

/** the projections have applied everything appended so far */
export const caughtUp = (r: Redirector): Promise<void> => r.test.server.runner.caughtUp({ timeoutMs: 10_000 });
