/** `zerotouch audit` for people: one readable line per event on a terminal, JSON lines otherwise. */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { auditCommand } from '../../src/adapters/cli/audit';
import { humanLine, localTime, partOf } from '../../src/adapters/cli/audit-lines';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite';
import { tempDir } from '../support/temp-dir';

const capture = (tty: boolean) => {
  let text = '';
  const out = Object.assign(new Writable({ write: (chunk, _e, done) => ((text += String(chunk)), done()) }), { isTTY: tty });
  return { out, text: () => text };
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('audit lines', () => {
  it('name the part, the time in local time, what happened and who did it', () => {
    const line = humanLine({
      id: randomUUID(),
      type: 'DeviceProvisioned',
      data: { mac: '009033aabbcc', codeHash: 'h', model: 'IP112', nested: { a: 1 } },
      personal: {},
      metadata: { actor: 'phone:009033aabbcc' },
      streamName: 'device-009033aabbcc',
      streamVersion: 1,
      globalPosition: 42,
      recordedAt: '2026-12-06T12:00:00.000Z',
    });
    expect(line).toBe(`${localTime('2026-12-06T12:00:00.000Z')}  devices    DeviceProvisioned mac=009033aabbcc model=IP112 nested={…}  by phone:009033aabbcc  (#42 device-009033aabbcc)`);
    expect([partOf('code-x'), partOf('codeAudit-x'), partOf('userDevice-x'), partOf('rollout-1'), partOf('other')]).toEqual(['redirector', 'redirector', 'users', 'users', '-']);
  });

  it('are what `audit` prints on a terminal; elsewhere, and with --json, JSON lines', async () => {
    const dir = tempDir('zt-audit-lines-');
    try {
      const file = join(dir.path, 'zerotouch.db');
      const store = SqliteEventStore.open(file);
      await store.appendToStream('device-009033aabbcc', [{ id: randomUUID(), type: 'DeviceProvisioned', data: { mac: '009033aabbcc' }, metadata: { actor: 'system' } }]);
      await store.close();
      vi.stubEnv('ZT_DATA_DIR', dir.path);
      vi.stubEnv('ZT_STORE', `sqlite:${file}`);
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const tty = capture(true);
        expect(await auditCommand(['--mac', '00:90:33:aa:bb:cc'], tty.out)).toBe(0);
        expect(tty.text()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}devices {4}DeviceProvisioned mac=009033aabbcc {2}by system {2}\(#1 device-009033aabbcc\)\n$/);
        const json = capture(true);
        expect(await auditCommand(['--mac', '00:90:33:aa:bb:cc', '--json'], json.out)).toBe(0);
        expect(JSON.parse(json.text())).toMatchObject({ position: 1, type: 'DeviceProvisioned', metadata: { actor: 'system' } });
        const pipe = capture(false);
        expect(await auditCommand(['--mac', '00:90:33:aa:bb:cc'], pipe.out)).toBe(0);
        expect(JSON.parse(pipe.text())).toMatchObject({ position: 1, stream: 'device-009033aabbcc' });
      } finally {
        stderr.mockRestore();
      }
    } finally {
      dir.remove();
    }
  });

  it('--at: the history up to the instant, then the state the domain folds from it', async () => {
    const dir = tempDir('zt-audit-at-');
    try {
      const file = join(dir.path, 'zerotouch.db');
      let now = new Date('2026-11-01T10:00:00.000Z');
      const store = SqliteEventStore.open(file, { now: () => now });
      const claim = (installationId: string) => ({
        id: randomUUID(),
        type: 'MacClaimed',
        data: { mac: '009033aabbcc', installationId, devicesUrl: 'https://devices.example.com', at: now.toISOString() },
        metadata: { actor: `installation:${installationId}` },
      });
      const first = randomUUID();
      await store.appendToStream('macClaim-009033aabbcc', [claim(first)]);
      now = new Date('2026-11-03T10:00:00.000Z');
      await store.appendToStream('macClaim-009033aabbcc', [claim(randomUUID())]);
      await store.close();
      vi.stubEnv('ZT_DATA_DIR', dir.path);
      vi.stubEnv('ZT_STORE', `sqlite:${file}`);
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const json = capture(false);
        expect(await auditCommand(['--mac', '00:90:33:aa:bb:cc', '--at', '2026-11-02T00:00:00Z'], json.out)).toBe(0);
        const lines = json.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(lines).toHaveLength(2);
        expect(lines[0]).toMatchObject({ position: 1, type: 'MacClaimed' });
        expect(lines[1]).toEqual({
          stateAt: '2026-11-02T00:00:00.000Z',
          streams: [
            {
              stream: 'macClaim-009033aabbcc',
              aggregate: 'MacClaim',
              version: 1,
              state: { status: 'claimed', mac: '009033aabbcc', installationId: first, devicesUrl: 'https://devices.example.com', claimedAt: '2026-11-01T10:00:00.000Z' },
            },
          ],
        });
        const tty = capture(true);
        expect(await auditCommand(['--mac', '00:90:33:aa:bb:cc', '--at', '2026-10-01'], tty.out)).toBe(0);
        expect(tty.text()).toMatch(/^state at .*:\n$/); // nothing had happened yet
      } finally {
        stderr.mockRestore();
      }
    } finally {
      dir.remove();
    }
  });
});
