import { describe, expect, it } from 'vitest';
import { combineGates, gate, IP_THROTTLE, isIdle, MAC_THROTTLE, recordWrongGuess, type Bucket, type ThrottlePolicy } from '../../src/domain';

const guess = (times: number, policy: ThrottlePolicy, nowMs = 0, start?: Bucket): Bucket | undefined => {
  let bucket = start;
  for (let i = 0; i < times; i++) bucket = recordWrongGuess(bucket, policy, nowMs);
  return bucket;
};

describe('wrong guesses are throttled', () => {
  it('per MAC: 5 wrong codes, then throttled (429 with Retry-After)', () => {
    expect(gate(guess(4, MAC_THROTTLE), MAC_THROTTLE, 0)).toEqual({ allowed: true });
    expect(gate(guess(5, MAC_THROTTLE), MAC_THROTTLE, 0)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it('per MAC: then one per minute', () => {
    const spent = guess(5, MAC_THROTTLE);
    expect(gate(spent, MAC_THROTTLE, 59_000)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(gate(spent, MAC_THROTTLE, 60_000)).toEqual({ allowed: true });
    const again = recordWrongGuess(spent, MAC_THROTTLE, 60_000);
    expect(gate(again, MAC_THROTTLE, 60_000)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it('per source IP: 100 wrong codes, then one per second', () => {
    expect(gate(guess(99, IP_THROTTLE), IP_THROTTLE, 0)).toEqual({ allowed: true });
    const spent = guess(100, IP_THROTTLE);
    expect(gate(spent, IP_THROTTLE, 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(gate(spent, IP_THROTTLE, 1_000)).toEqual({ allowed: true });
  });

  it('while throttled by either key, a request is refused; the longer wait is answered', () => {
    const mac = gate(guess(5, MAC_THROTTLE), MAC_THROTTLE, 0);
    const ip = gate(undefined, IP_THROTTLE, 0);
    expect(combineGates(mac, ip)).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect(combineGates(ip, { allowed: true })).toEqual({ allowed: true });
  });

  it('a key with no wrong guesses is let through, and a refilled bucket may be forgotten', () => {
    expect(gate(undefined, MAC_THROTTLE, 0)).toEqual({ allowed: true });
    const one = recordWrongGuess(undefined, MAC_THROTTLE, 0);
    expect(isIdle(one, MAC_THROTTLE, 30_000)).toBe(false);
    expect(isIdle(one, MAC_THROTTLE, 60_000)).toBe(true);
  });
});
