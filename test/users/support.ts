/** Helpers for the Users tests: a Users server with a manual clock, its admin HTTP API and its two WebSockets. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { ManualClock } from '../../src/application/ports/clock';
import type { RecordedEvent } from '../../src/application/ports/event-store';
import { startTestServer, type TestServer, type TestServerOptions } from '../support/server';
import { TestSocket } from '../support/ws-client';

export const START = '2026-03-01T09:00:00.000Z';
export const DAY = 86_400_000;

export interface UsersServer {
  readonly test: TestServer;
  readonly app: FastifyInstance;
  readonly clock: ManualClock;
  readonly adminToken: string;
  close(options?: { keepData?: boolean }): Promise<void>;
}

export async function startUsers(options: TestServerOptions & { clock?: ManualClock } = {}): Promise<UsersServer> {
  const clock = options.clock ?? new ManualClock(START);
  const test = await startTestServer({ parts: ['users'], ...options, clock });
  return { test, app: test.server.app, clock, adminToken: test.config.adminToken, close: (o) => test.close(o) };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** a request to the Users admin HTTP API (`/users/v1/admin<path>`) with the admin token */
export function admin(
  u: UsersServer,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  payload?: unknown,
  headers: Record<string, string> = bearer(u.adminToken),
): Promise<LightMyRequestResponse> {
  return u.app.inject({
    method,
    url: `/users/v1/admin${path}`,
    headers: payload === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
  });
}

export function importCsv(u: UsersServer, csv: string | Buffer, contentType = 'text/csv; charset=utf-8', headers = bearer(u.adminToken)): Promise<LightMyRequestResponse> {
  return u.app.inject({ method: 'POST', url: '/users/v1/admin/users/import', headers: { ...headers, 'content-type': contentType }, payload: csv });
}

export async function createUser(u: UsersServer, id: string, name = `User ${id}`, email?: string): Promise<void> {
  const res = await admin(u, 'POST', '/users', { id, name, ...(email ? { email } : {}) });
  expect(res.statusCode, res.body).toBe(201);
}

export async function userToken(u: UsersServer, id: string): Promise<string> {
  const res = await admin(u, 'POST', `/users/${encodeURIComponent(id)}/tokens`);
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { token: string }).token;
}

export async function createPhoneApp(u: UsersServer, id = 'phone', name = 'Phone'): Promise<void> {
  const res = await admin(u, 'POST', '/phone-apps', { id, name });
  expect(res.statusCode, res.body).toBe(201);
}

/** a Profile session logged in with a user's token */
export async function profile(u: UsersServer, token: string): Promise<TestSocket> {
  const ws = await TestSocket.connect(`${u.test.wsUrl}/users/v1/profile`);
  expect(await ws.request({ mt: 'Login', token })).toMatchObject({ mt: 'LoginResult', ok: true });
  return ws;
}

/** a UsersAdmin session logged in with the admin token */
export async function usersAdmin(u: UsersServer): Promise<TestSocket> {
  const ws = await TestSocket.connect(`${u.test.wsUrl}/users/v1/admin`);
  expect(await ws.request({ mt: 'Login', token: u.adminToken })).toMatchObject({ mt: 'LoginResult', ok: true });
  return ws;
}

export const head = (u: UsersServer): Promise<number> => u.test.server.storage.events.headPosition();

/** every event the store holds */
export async function allEvents(u: UsersServer): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (let after = 0; ; ) {
    const page = await u.test.server.storage.events.readAll({ after, limit: 10_000 });
    out.push(...page.events);
    if (page.events.length === 0) return out;
    after = page.position;
  }
}

/** resolves once `check` holds, polling (for what arrives asynchronously: connections, pushes) */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, what = 'the condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
