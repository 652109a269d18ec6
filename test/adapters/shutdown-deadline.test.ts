/**
 * A stop that hangs ends the process after ZT_SHUTDOWN_TIMEOUT_SECONDS, saying which step
 * of the shutdown it was in and what it still held open. The hang here is a real one: a
 * request whose body never arrives keeps the HTTP server's close waiting (the server ends
 * idle connections at once, and waits for requests under way).
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/adapters/config';
import { startChildServer, type ChildServer } from '../support/child-server';
import { freePort } from '../support/server';
import { tempDir } from '../support/temp-dir';

describe('serve stopped by SIGTERM', { timeout: 120_000 }, () => {
  const dir = tempDir('zt-shutdown-');
  let server: ChildServer | undefined;

  afterAll(async () => {
    await server?.stop('SIGKILL');
    dir.remove();
  });

  const start = async (name: string): Promise<{ server: ChildServer; port: number }> => {
    const port = await freePort();
    const env = { ...process.env, ZT_DATA_DIR: join(dir.path, name), ZT_HOST: '127.0.0.1', ZT_PORT: String(port), ZT_LOG_LEVEL: 'warn', ZT_SHUTDOWN_TIMEOUT_SECONDS: '2' };
    return { server: await startChildServer(`http://127.0.0.1:${port}`, env, []), port };
  };

  // exit code 0 means it ended before the deadline (which exits 1)
  it('exits 0 when nothing holds it', async () => {
    const started = await start('clean');
    server = started.server;
    expect(await server.stop('SIGTERM')).toBe(0);
    expect(server.output()).not.toContain('shutdown did not finish');
    server = undefined;
  });

  it('ends with exit code 1 and says where it stood when a request never finishes', async () => {
    const started = await start('stuck');
    server = started.server;
    const socket = connect(started.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.on('error', () => undefined);
    // headers and the first bytes of a body that never comes
    socket.write('POST /redirector/v1/phone/init HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"mac":');
    await new Promise((r) => setTimeout(r, 300));
    const code = await server.stop('SIGTERM');
    socket.destroy();
    expect(code).toBe(1);
    expect(server.output()).toMatch(/shutdown did not finish within 2 s: still closing the HTTP server .*; open: .*TCPSocketWrap/);
    server = undefined;
  });
});

describe('ZT_SHUTDOWN_TIMEOUT_SECONDS', () => {
  const base = (dataDir: string) => ({ ZT_DATA_DIR: dataDir, ZT_SERVER_SECRET: Buffer.alloc(32, 7).toString('base64') });

  it('is 30 unless set, and takes whole seconds from 1 to 3,600', () => {
    const dir = tempDir('zt-config-');
    try {
      expect(loadConfig(base(dir.path)).shutdownTimeoutSeconds).toBe(30);
      expect(loadConfig({ ...base(dir.path), ZT_SHUTDOWN_TIMEOUT_SECONDS: '1' }).shutdownTimeoutSeconds).toBe(1);
      expect(loadConfig({ ...base(dir.path), ZT_SHUTDOWN_TIMEOUT_SECONDS: '3600' }).shutdownTimeoutSeconds).toBe(3600);
    } finally {
      dir.remove();
    }
  });

  it.each(['0', '3601', '1.5', '-1', 'never', '1e400', 'x'.repeat(10_000)])('refuses %j with the key in the message', (value) => {
    const dir = tempDir('zt-config-');
    try {
      expect(() => loadConfig({ ...base(dir.path), ZT_SHUTDOWN_TIMEOUT_SECONDS: value })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base(dir.path), ZT_SHUTDOWN_TIMEOUT_SECONDS: value })).toThrow(/ZT_SHUTDOWN_TIMEOUT_SECONDS must be an integer from 1 to 3600/);
    } finally {
      dir.remove();
    }
  });
});
