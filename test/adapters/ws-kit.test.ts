import * as t from 'io-ts';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientLog } from '../../src/adapters/http/client-log';
import { MetricsRegistry } from '../../src/adapters/http/metrics';
import { createHttpServer } from '../../src/adapters/http/server';
import { attachWebSocketEndpoints } from '../../src/adapters/ws/endpoints';
import { serveJsonSession, WsError } from '../../src/adapters/ws/json-session';
import { StoreUnavailableError } from '../../src/application/ports/event-store';
import { Refusal } from '../../src/application/refusal';
import { CapturedLog } from '../support/captured-log';
import { parseExposition } from '../support/exposition';
import { TestSocket } from '../support/ws-client';

/** a message handled beside the ones that follow it, answered after `ms` */
const Slow = {
  concurrent: true,
  codec: t.type({ mt: t.literal('Slow'), ms: t.number }),
  handle: async (m: { ms: number }) => {
    await new Promise((r) => setTimeout(r, m.ms));
    return { waited: m.ms };
  },
};

describe('the WebSocket kit', () => {
  let app: FastifyInstance;
  let base: string;

  beforeAll(async () => {
    app = await createHttpServer({ logger: false, metrics: new MetricsRegistry(), readiness: async () => ({ ready: true, checks: {} }) });
    attachWebSocketEndpoints(
      app,
      new Map([
        [
          '/test/v1/echo',
          (socket, _request, connection) => {
            serveJsonSession(socket, {
              connection,
              state: { user: undefined as string | undefined },
              loggedIn: (s) => s.user !== undefined,
              loginTimeoutMs: 300,
              greeting: { mt: 'Challenge', challenge: 'abc' },
              messages: {
                Login: {
                  beforeLogin: true,
                  codec: t.type({ mt: t.literal('Login'), token: t.string }),
                  handle: (m, ctx) => {
                    if (m.token !== 'good') {
                      ctx.send({ mt: 'LoginResult', ok: false });
                      ctx.close(4003, 'login failed');
                      return undefined;
                    }
                    ctx.state.user = 'u1';
                    return { ok: true };
                  },
                },
                Echo: { codec: t.type({ mt: t.literal('Echo'), text: t.string }), handle: (m) => ({ text: m.text }) },
                Fail: {
                  codec: t.type({ mt: t.literal('Fail') }),
                  handle: () => {
                    throw new WsError('not-found', 'nothing here');
                  },
                },
                Refuse: {
                  codec: t.type({ mt: t.literal('Refuse'), code: t.keyof({ 'device-owned-by-other-domain': null, unavailable: null }) }),
                  handle: (m) => {
                    throw new Refusal(m.code, 'refused here', { retryAfterSeconds: 3 });
                  },
                },
                Unreachable: {
                  codec: t.type({ mt: t.literal('Unreachable') }),
                  handle: () => {
                    throw new StoreUnavailableError('PostgreSQL unavailable: connect ECONNREFUSED');
                  },
                },
                Crash: {
                  codec: t.type({ mt: t.literal('Crash') }),
                  handle: () => {
                    throw new Error('secret internals');
                  },
                },
                Ack: { codec: t.type({ mt: t.literal('Ack') }), handle: () => undefined },
                Slow,
              },
            });
          },
        ],
      ]),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address() as { port: number };
    base = `ws://127.0.0.1:${address.port}`;
  });
  afterAll(() => app.close());

  it('greets, logs in, answers requests with their src, in order', async () => {
    const ws = await TestSocket.connect(`${base}/test/v1/echo`);
    expect(await ws.next('Challenge')).toEqual({ mt: 'Challenge', challenge: 'abc' });
    expect(await ws.request({ mt: 'Login', token: 'good', src: 'l' })).toEqual({ mt: 'LoginResult', src: 'l', ok: true });
    for (let i = 0; i < 5; i++) ws.send({ mt: 'Echo', text: `t${i}`, src: i });
    for (let i = 0; i < 5; i++) expect(await ws.next('EchoResult')).toEqual({ mt: 'EchoResult', src: i, text: `t${i}` });
    ws.close();
  });

  it('handles a concurrent message beside the ones that follow it', async () => {
    const ws = await TestSocket.connect(`${base}/test/v1/echo`);
    await ws.next('Challenge');
    await ws.request({ mt: 'Login', token: 'good' });
    ws.send({ mt: 'Slow', ms: 300, src: 'slow' });
    ws.send({ mt: 'Echo', text: 'quick', src: 'quick' });
    const first = await ws.next((m) => m['mt'] === 'EchoResult' || m['mt'] === 'SlowResult');
    expect(first).toEqual({ mt: 'EchoResult', src: 'quick', text: 'quick' });
    expect(await ws.next('SlowResult')).toEqual({ mt: 'SlowResult', src: 'slow', waited: 300 });
    ws.close();
  });

  it('answers malformed and unknown messages with an error and stays up', async () => {
    const ws = await TestSocket.connect(`${base}/test/v1/echo`);
    await ws.next('Challenge');
    await ws.request({ mt: 'Login', token: 'good' });
    ws.send('{nope');
    expect(await ws.next('Error')).toMatchObject({ error: { code: 'validation-failed' } });
    ws.send([1, 2]);
    expect(await ws.next('Error')).toMatchObject({ error: { code: 'validation-failed' } });
    ws.send({ src: 'x' });
    expect(await ws.next('Error')).toMatchObject({ src: 'x', error: { code: 'validation-failed' } });
    expect(await ws.request({ mt: 'Nope', src: 1 })).toMatchObject({ mt: 'NopeResult', src: 1, error: { code: 'validation-failed', detail: expect.stringContaining('unknown message type') } });
    expect(await ws.request({ mt: 'Echo', text: 7, src: 2 })).toMatchObject({ error: { code: 'validation-failed', detail: expect.stringContaining('text') } });
    ws.send({ mt: 'Echo', text: 'x'.repeat(70_000), src: 3 });
    expect(await ws.next('Error')).toMatchObject({ error: { code: 'payload-too-large' } });
    expect(await ws.request({ mt: 'Fail', src: 4 })).toEqual({ mt: 'FailResult', src: 4, error: { code: 'not-found', detail: 'nothing here' } });
    // a handler's Refusal: the socket token from the one table (no Retry-After on a socket)
    expect(await ws.request({ mt: 'Refuse', code: 'device-owned-by-other-domain', src: 'r1' })).toEqual({ mt: 'RefuseResult', src: 'r1', error: { code: 'conflict', detail: 'refused here' } });
    expect(await ws.request({ mt: 'Refuse', code: 'unavailable', src: 'r2' })).toEqual({ mt: 'RefuseResult', src: 'r2', error: { code: 'unavailable', detail: 'refused here' } });
    // the database out of reach: unavailable (try again), as HTTP answers 503, not internal-error
    expect(await ws.request({ mt: 'Unreachable', src: 'u1' })).toEqual({
      mt: 'UnreachableResult',
      src: 'u1',
      error: { code: 'unavailable', detail: 'the event store is not reachable; try again shortly' },
    });
    const crash = await ws.request({ mt: 'Crash', src: 5 });
    expect(crash).toMatchObject({ error: { code: 'internal-error' } });
    expect(JSON.stringify(crash)).not.toContain('secret internals');
    ws.send({ mt: 'Ack' });
    expect(await ws.request({ mt: 'Echo', text: 'still here', src: 6 })).toEqual({ mt: 'EchoResult', src: 6, text: 'still here' });
    expect(ws.messages).toEqual([]); // the Ack got no result
    ws.close();
  });

  it('refuses requests before login, closes a failed login and a client that never logs in', async () => {
    const ws = await TestSocket.connect(`${base}/test/v1/echo`);
    await ws.next('Challenge');
    expect(await ws.request({ mt: 'Echo', text: 'hi' })).toMatchObject({ mt: 'EchoResult', error: { code: 'unauthorized' } });
    ws.send({ mt: 'Login', token: 'bad' });
    expect(await ws.next('LoginResult')).toEqual({ mt: 'LoginResult', ok: false });
    expect((await ws.waitClosed()).code).toBe(4003);
    const idle = await TestSocket.connect(`${base}/test/v1/echo`);
    expect((await idle.waitClosed()).code).toBe(4001);
  });

  it('refuses upgrades to unknown paths', async () => {
    await expect(TestSocket.connect(`${base}/test/v1/nothing`)).rejects.toThrow();
  });
});

describe('the WebSocket kit with hostile clients', () => {
  let app: FastifyInstance;
  let base: string;
  const sink = new CapturedLog();
  const metrics = new MetricsRegistry();
  let closedSessions = 0;
  /** upgrades refused while a closed connection was still counted (the test polls until one gets through) */
  let refusedWhileClosing = 0;

  beforeAll(async () => {
    const log = new ClientLog(sink, metrics);
    app = await createHttpServer({ logger: false, metrics, readiness: async () => ({ ready: true, checks: {} }), clientLog: log });
    attachWebSocketEndpoints(
      app,
      new Map([
        [
          '/test/v1/strict',
          (socket, _request, connection) => {
            serveJsonSession(socket, {
              connection,
              state: {},
              loggedIn: () => true,
              onClose: () => {
                closedSessions++;
                throw new Error('a close handler that fails');
              },
              messages: {
                Echo: { codec: t.type({ mt: t.literal('Echo'), text: t.string }), handle: (m) => ({ text: m.text }) },
                PushMe: {
                  codec: t.type({ mt: t.literal('PushMe'), count: t.number }),
                  handle: (m, ctx) => {
                    for (let i = 0; i < m.count; i++) ctx.push({ mt: 'Notice', id: i });
                    return { pushed: m.count };
                  },
                },
                Ack: { codec: t.type({ mt: t.literal('Ack'), id: t.number }), handle: () => undefined },
                CrashLater: {
                  concurrent: true,
                  codec: t.type({ mt: t.literal('CrashLater') }),
                  handle: async () => {
                    await new Promise((r) => setTimeout(r, 5));
                    throw new TypeError('a concurrent handler that fails');
                  },
                },
                Unwritable: { codec: t.type({ mt: t.literal('Unwritable') }), handle: () => ({ n: 1n }) },
                Slow,
              },
            });
          },
        ],
      ]),
      { limits: { loginTimeoutMs: 5_000, messageBurst: 300, messagesPerSecond: 1, maxJsonDepth: 16 }, connectionsPerIp: 3, log },
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `ws://127.0.0.1:${(app.server.address() as { port: number }).port}/test/v1/strict`;
  });
  afterAll(() => app.close());

  it('answers deep nesting, forbidden keys and binary with an error result and stays up', async () => {
    const ws = await TestSocket.connect(base);
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    for (const text of [deep, `{"mt":"Echo","text":${deep}}`, `{"mt":"Echo","src":${deep}}`, `{"mt":${deep}}`, `{"mt":"Echo","src":1,"text":"x","__proto__":{"a":1}}`, `{"mt":"Echo","text":"x","constructor":{"prototype":{}}}`]) {
      ws.send(text);
      const answer = await ws.next('Error');
      expect(answer, text.slice(0, 40)).toEqual({ mt: 'Error', error: { code: 'validation-failed', detail: expect.stringMatching(/deeper than 16 levels|__proto__/) } });
    }
    ws.socket.send(Buffer.from('{"mt":"Echo","text":"x"}'), { binary: true });
    expect(await ws.next('Error')).toMatchObject({ error: { code: 'validation-failed', detail: expect.stringContaining('binary') } });
    expect(await ws.request({ mt: 'Echo', text: 'x'.repeat(60_000), src: 1 })).toMatchObject({ text: 'x'.repeat(60_000) });
    expect(await ws.request({ mt: 'Echo', text: Array.from({ length: 30_000 }, () => 0), src: 2 })).toMatchObject({ error: { code: 'validation-failed' } });
    expect(await ws.request({ mt: 'Nope', src: 3 })).toMatchObject({ error: { code: 'validation-failed', messageTypes: ['Echo', 'PushMe', 'Ack', 'CrashLater', 'Unwritable', 'Slow'] } });
    ws.close();
  });

  it('takes a message in fragments; closes on invalid UTF-8 (1007) and on a frame or fragments over 1 MiB (1009)', async () => {
    const ws = await TestSocket.connect(base);
    ws.socket.send('{"mt":"Echo",', { fin: false });
    ws.socket.send('"src":"f","text":"in parts"}', { fin: true });
    expect(await ws.next('EchoResult')).toEqual({ mt: 'EchoResult', src: 'f', text: 'in parts' });
    ws.socket.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), { binary: false });
    expect((await ws.waitClosed()).code).toBe(1007);

    const big = await TestSocket.connect(base);
    big.send('x'.repeat(1024 * 1024 + 1));
    expect((await big.waitClosed()).code).toBe(1009);

    const parts = await TestSocket.connect(base);
    for (let i = 0; i < 20; i++) parts.socket.send('x'.repeat(64 * 1024), { fin: false });
    expect((await parts.waitClosed()).code).toBe(1009);
  });

  it('a failing handler, an answer that cannot be written and a failing close handler never escape the session', async () => {
    const ws = await TestSocket.connect(base);
    for (let i = 0; i < 5; i++) ws.send({ mt: 'CrashLater', src: `c${i}` });
    for (let i = 0; i < 5; i++) expect(await ws.next((m) => m['src'] === `c${i}`)).toMatchObject({ mt: 'CrashLaterResult', error: { code: 'internal-error' } });
    ws.send({ mt: 'Unwritable', src: 'u' });
    expect(await ws.next('Error')).toMatchObject({ error: { code: 'internal-error' } });
    expect(await ws.request({ mt: 'Echo', text: 'still here' })).toMatchObject({ text: 'still here' });
    const before = closedSessions;
    ws.close();
    await ws.waitClosed();
    await expect.poll(() => closedSessions).toBe(before + 1);
  });

  it('handles a burst of slow concurrent messages with the socket paused and resumed, losing none', async () => {
    const ws = await TestSocket.connect(base);
    for (let i = 0; i < 200; i++) ws.send({ mt: 'Slow', ms: 20, src: i });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => ws.next((m) => m['src'] === i, 10_000)));
    expect(answers.every((a) => a['waited'] === 20)).toBe(true);
    ws.close();
  });

  it('answers a flood rate-limited and closes it with 4029; answers to its pushes are free', async () => {
    const ws = await TestSocket.connect(base);
    expect(await ws.request({ mt: 'PushMe', count: 1000 })).toMatchObject({ pushed: 1000 });
    // 1,000 acknowledgements of 1,000 pushes, then 299 more of the 300 at once: all within the budget
    for (let i = 0; i < 1000; i++) ws.send({ mt: 'Ack', id: i });
    for (let i = 0; i < 298; i++) ws.send({ mt: 'Echo', text: 'x', src: i });
    expect(await ws.next((m) => m['src'] === 297)).toMatchObject({ text: 'x' });
    expect(ws.closed).toBeUndefined();
    for (let i = 0; i < 100; i++) ws.send({ mt: 'Echo', text: 'flood' });
    expect(await ws.next('Error')).toMatchObject({ error: { code: 'rate-limited', detail: expect.stringContaining('too many messages') } });
    expect(await ws.waitClosed()).toEqual({ code: 4029, reason: 'too many messages' });
  });

  it('takes at most 3 connections from one address; a closed one makes room', async () => {
    const open = await Promise.all([0, 1, 2].map(() => TestSocket.connect(base)));
    await expect(TestSocket.connect(base)).rejects.toThrow('upgrade refused: 429');
    open[0]!.close();
    await open[0]!.waitClosed();
    await expect.poll(async () => TestSocket.connect(base).then((s) => (s.close(), true), () => (refusedWhileClosing++, false))).toBe(true);
    for (const s of open) s.close();
  });

  it('logged one warning for all of it (one client, one minute), no error line for what the clients did, and counted each kind', async () => {
    const warnings = sink.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.obj['client']).toBe('127.0.0.1');
    const exposition = parseExposition(await metrics.render());
    const closed = closedSessions;
    expect(Object.fromEntries(exposition.samples('zt_hostile_input_total').map((s) => [s.labels['kind'], s.value]))).toEqual({
      'json-too-deep': 4,
      'forbidden-key': 2,
      'binary-message': 1,
      // invalid UTF-8, a frame over 1 MiB, fragments over 1 MiB
      'websocket-protocol': 3,
      'message-flood': 1,
      'too-many-connections': 1 + refusedWhileClosing,
    });
    // the failing handlers are bugs: one error line for all of them; counted are the five
    // concurrent handlers, the answer that could not be written and every failing close handler
    expect(sink.lines.filter((l) => l.level === 'error')).toHaveLength(1);
    expect(exposition.value('zt_client_failures_total', { where: 'websocket' })).toBe(6 + closed);
  });
});
