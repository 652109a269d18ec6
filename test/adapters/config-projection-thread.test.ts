/** ZT_PROJECTION_THREAD: on (the default) or off; anything else is refused at start, naming the key. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/adapters/config';
import { tempDir } from '../support/temp-dir';

const base = (dataDir: string) => ({ ZT_DATA_DIR: dataDir, ZT_SERVER_SECRET: Buffer.alloc(32, 7).toString('base64') });

describe('ZT_PROJECTION_THREAD', () => {
  it('is on unless set to off', () => {
    const dir = tempDir('zt-config-');
    try {
      expect(loadConfig(base(dir.path)).projectionThread).toBe(true);
      expect(loadConfig({ ...base(dir.path), ZT_PROJECTION_THREAD: 'on' }).projectionThread).toBe(true);
      expect(loadConfig({ ...base(dir.path), ZT_PROJECTION_THREAD: 'off' }).projectionThread).toBe(false);
    } finally {
      dir.remove();
    }
  });

  it.each(['yes', 'false', '0', 'OFF', ' on', 'x'.repeat(10_000), '\u0000'])('refuses %j with the key in the message', (value) => {
    const dir = tempDir('zt-config-');
    try {
      expect(() => loadConfig({ ...base(dir.path), ZT_PROJECTION_THREAD: value })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base(dir.path), ZT_PROJECTION_THREAD: value })).toThrow(/ZT_PROJECTION_THREAD must be on or off/);
    } finally {
      dir.remove();
    }
  });
});
