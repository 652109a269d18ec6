/**
 * Expiry end to end with the real clock moved: a rollout and phones on a server now, then
 * the server process (`bin/zerotouch.mjs serve --demo`, as `npx zerotouch` runs it) started
 * eight days ahead under Debian's `faketime`, Node's clock included. With no test clock and
 * no command, it purges on its own: the purge records appear and no digit of any code is
 * left in the SQLite files it keeps open. Without faketime on this machine the test says so
 * and is skipped (CI installs it).
 */
import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/server';
import { scan, seededAndStopped } from './purge-support';

const ROOT = join(import.meta.dirname, '..', '..');
const probe = spawnSync('faketime', ['-f', '+8d', 'node', '-e', 'process.stdout.write(String(Date.now()))'], { encoding: 'utf8' });
const shift = probe.status === 0 ? Number(probe.stdout) - Date.now() : Number.NaN;
const usable = shift > 7.9 * 86_400_000 && shift < 8.1 * 86_400_000;

async function eventually<T>(what: string, probeFn: () => T | undefined, output: () => string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probeFn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the server said:\n${output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

if (!usable) {
  describe.skip(`expiry under faketime — skipped: faketime is not installed or does not move Node's clock here (apt-get install faketime)`, () => {
    it('purges on its own when started eight days later', () => {});
  });
} else {
  describe('expiry under faketime', () => {
    let child: ChildProcess | undefined;
    let dataDir: string | undefined;
    afterAll(async () => {
      // faketime runs the server as a child of its own and does not pass signals on: the
      // server runs in a process group of its own, and the whole group is stopped (and
      // waited for, so no server outlives the test)
      if (child?.pid !== undefined) await stopGroup(child.pid);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }, 60_000);

    it('a server process started eight days later purges on its own', { timeout: 180_000 }, async () => {
      const port = await freePort();
      const { server: first, digits, file } = await seededAndStopped({ env: { ZT_PORT: String(port) } });
      dataDir = first.dataDir;

      let output = '';
      child = spawn('faketime', ['-f', '+8d', process.execPath, join(ROOT, 'bin', 'zerotouch.mjs'), 'serve', '--demo'], {
        cwd: ROOT,
        env: { ...process.env, ZT_HOST: '127.0.0.1', ZT_PORT: String(port), ZT_DATA_DIR: first.dataDir, ZT_STORE: first.storeUrl, ZT_LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      child.stdout!.on('data', (chunk) => (output += String(chunk)));
      child.stderr!.on('data', (chunk) => (output += String(chunk)));

      const db = new Database(file, { readonly: true, fileMustExist: true });
      try {
        const count = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM zt_events WHERE type = ?');
        await eventually(
          'the purge records',
          () => {
            if (child!.exitCode !== null) throw new Error(`the server exited (${child!.exitCode}):\n${output.slice(-4000)}`);
            const done = count.get('PhoneCodePurged')!.n === 3 && count.get('DeviceCodesPurged')!.n === 2 && count.get('RolloutCodesPurged')!.n === 1;
            return done && count.get('UnassignedPhoneCodesPurged')!.n === 1 && count.get('CodeHistoryArchived')!.n === 4 ? true : undefined;
          },
          () => output,
        );
      } finally {
        db.close();
      }
      const clean = Object.fromEntries(digits.map((d) => [d, []]));
      await eventually('no digit in the files', () => (JSON.stringify(scan(file, digits)) === JSON.stringify(clean) ? true : undefined), () => output, 20_000);
      // its clock is eight days ahead: what it stamped says so
      const stamped = new Database(file, { readonly: true });
      try {
        const at = stamped.prepare<[], { recorded_at: string }>("SELECT recorded_at FROM zt_events WHERE type = 'PhoneCodePurged' LIMIT 1").get()!.recorded_at;
        expect(Date.parse(at) - Date.now()).toBeGreaterThan(7 * 86_400_000);
      } finally {
        stamped.close();
      }
    });
  });
}

/** SIGTERM to every process of the group, then wait until none is left (SIGKILL after 30 s) */
async function stopGroup(pgid: number): Promise<void> {
  // false once no process of the group is left: a signal to a group that just emptied is no error
  const signal = (name: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-pgid, name);
      return true;
    } catch {
      return false;
    }
  };
  if (!signal('SIGTERM')) return;
  const deadline = Date.now() + 30_000;
  while (signal(0)) {
    if (Date.now() > deadline) signal('SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
  }
}
