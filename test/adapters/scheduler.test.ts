/** The scheduler port on timers: one run at a time, failures logged and retried, leases respected, stop waits. */
import { describe, expect, it } from 'vitest';
import { BackgroundWork } from '../../src/adapters/server/background';
import type { Logger } from 'pino';
import type { Leases } from '../../src/application/ports/leases';

const until = async (what: string, check: () => boolean, ms = 2_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

const logger = () => {
  const warnings: string[] = [];
  const warn = (_: unknown, message: string): void => void warnings.push(message);
  return { warnings, warn: warn as unknown as Logger['warn'] };
};

describe('the scheduler', () => {
  it('runs work at once and on its interval, never two runs of one job at a time', async () => {
    const log = logger();
    const scheduler = new BackgroundWork(log);
    let running = 0;
    let most = 0;
    let runs = 0;
    scheduler.every(
      5,
      async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 30)); // longer than the interval
        running -= 1;
        runs += 1;
      },
      'slow work',
      { now: true },
    );
    await until('three runs', () => runs >= 3);
    await scheduler.stop();
    expect(most).toBe(1);
    expect(log.warnings).toEqual([]);
  });

  it('logs a failed run and tries again at the next tick', async () => {
    const log = logger();
    const scheduler = new BackgroundWork(log);
    let attempts = 0;
    scheduler.every(5, async () => {
      attempts += 1;
      if (attempts < 3) throw new Error('not yet');
    }, 'flaky work', { now: true });
    await until('the third attempt', () => attempts >= 3);
    await scheduler.stop();
    expect(log.warnings.slice(0, 2)).toEqual(['flaky work failed; trying again later', 'flaky work failed; trying again later']);
  });

  it('runs leased work only while this node holds the lease', async () => {
    let held = false;
    const asked: string[] = [];
    const leases: Leases = {
      shared: true,
      hold: async (name) => {
        asked.push(name);
        return held;
      },
      release: async () => undefined,
      close: async () => undefined,
    };
    const scheduler = new BackgroundWork(logger(), leases);
    let runs = 0;
    scheduler.every(5, async () => void (runs += 1), 'leased work', { now: true, lease: 'purge' });
    await until('the lease asked for five times', () => asked.length >= 5);
    expect(runs).toBe(0);
    held = true;
    await until('a run once held', () => runs >= 1);
    await scheduler.stop();
    expect(new Set(asked)).toEqual(new Set(['purge']));
  });

  it('stop ends the ticks and waits for the run under way', async () => {
    const scheduler = new BackgroundWork(logger());
    let finished = false;
    let started = 0;
    scheduler.every(5, async () => {
      started += 1;
      await new Promise((r) => setTimeout(r, 40));
      finished = true;
    }, 'work', { now: true });
    await until('a start', () => started === 1);
    await scheduler.stop();
    expect(finished).toBe(true);
    await new Promise((r) => setTimeout(r, 30));
    expect(started).toBe(1);
  });
});
