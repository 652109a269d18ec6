import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/application/ports/clock';
import { GuessThrottle } from '../../src/application/guess-throttle';
import { IP_THROTTLE, MAC_THROTTLE } from '../../src/domain';

describe('GuessThrottle', async () => {
  const make = () => {
    const clock = new ManualClock();
    return { clock, throttle: new GuessThrottle(clock, { policies: { perMac: MAC_THROTTLE, perIp: IP_THROTTLE } }) };
  };

  it('refuses a MAC after 5 wrong guesses until a minute has passed, from any IP', async () => {
    const { clock, throttle } = make();
    for (let i = 0; i < 5; i++) {
      expect(await throttle.gate(`10.0.0.${i}`, 'm1')).toEqual({ allowed: true });
      await throttle.recordWrongGuess(`10.0.0.${i}`, 'm1');
    }
    expect(await throttle.gate('10.0.0.99', 'm1')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect(await throttle.gate('10.0.0.99', 'm2')).toEqual({ allowed: true });
    clock.advance(59_000);
    expect(await throttle.gate('10.0.0.99', 'm1')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    clock.advance(1_000);
    expect(await throttle.gate('10.0.0.99', 'm1')).toEqual({ allowed: true });
  });

  it('refuses an IP after 100 wrong guesses, whatever the MAC, for a second', async () => {
    const { clock, throttle } = make();
    for (let i = 0; i < 100; i++) await throttle.recordWrongGuess('192.0.2.1', `mac-${i}`);
    expect(await throttle.gate('192.0.2.1', 'fresh')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(await throttle.gate('192.0.2.2', 'fresh')).toEqual({ allowed: true });
    clock.advance(1_000);
    expect(await throttle.gate('192.0.2.1', 'fresh')).toEqual({ allowed: true });
  });

  it('forgets buckets that have refilled, so memory stays bounded by recent guesses', async () => {
    const { clock, throttle } = make();
    for (let i = 0; i < 50; i++) await throttle.recordWrongGuess(`198.51.100.${i}`, `mac-${i}`);
    expect(throttle.size).toBe(100);
    clock.advance(5 * 60_000);
    await throttle.recordWrongGuess('203.0.113.1', 'latest');
    expect(throttle.size).toBe(2);
  });
});
