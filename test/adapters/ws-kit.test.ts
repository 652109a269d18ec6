import * as t from 'io-ts';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../src/adapters/http/metrics';
import { createHttpServer } from '../../src/adapters/http/server';
import { attachWebSocketEndpoints } from '../../src/adapters/ws/endpoints';
import { serveJsonSession, WsError } from '../../src/adapters/ws/json-session';
import { TestSocket } from '../support/ws-client';

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
                Crash: {
                  codec: t.type({ mt: t.literal('Crash') }),
                  handle: () => {
                    throw new Error('secret internals');
                  },
                },
                Ack: { codec: t.type({ mt: t.literal('Ack') }), handle: () => undefined },
                Slow: {
                  concurrent: true,
                  codec: t.type({ mt: t.literal('Slow'), ms: t.number }),
                  handle: async (m) => {
                    await new Promise((r) => setTimeout(r, m.ms));
                    return { waited: m.ms };
                  },
                },
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
