import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentMap } from '../../src/application/recent-map';

describe('a map of recently used entries', () => {
  it('keeps a cycle through as many keys as its bound: each comes round again before it leaves', () => {
    const map = new RecentMap<number, number>(100);
    for (let round = 0; round < 5; round++) {
      for (let key = 0; key < 100; key++) {
        if (round > 0) expect(map.get(key)).toBe(key);
        else map.set(key, key);
      }
    }
  });

  it('answers what it holds, forgets what was deleted or cleared, and keeps nothing with a bound of 0', () => {
    const map = new RecentMap<string, number>(10);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 3);
    expect(map.get('a')).toBe(3);
    expect(map.has('b')).toBe(true);
    map.delete('b');
    expect(map.get('b')).toBeUndefined();
    expect(map.size).toBe(1);
    map.clear();
    expect(map.size).toBe(0);
    const none = new RecentMap<string, number>(0);
    none.set('a', 1);
    expect(none.get('a')).toBeUndefined();
  });

  it('never holds more than twice its bound, always holds the last keys used within its bound, and answers their latest values', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.constantFrom('get', 'set', 'delete'), fc.integer({ min: 0, max: 30 }), fc.integer()), { maxLength: 300 }),
        (bound, ops) => {
          const map = new RecentMap<number, number>(bound);
          const truth = new Map<number, number>();
          const used: number[] = [];
          for (const [op, key, value] of ops) {
            if (op === 'set') {
              map.set(key, value);
              truth.set(key, value);
              used.push(key);
            } else if (op === 'delete') {
              map.delete(key);
              truth.delete(key);
            } else {
              const got = map.get(key);
              // whatever it answers is the latest value
              if (got !== undefined) expect(got).toBe(truth.get(key));
              if (got !== undefined) used.push(key);
            }
            expect(map.size).toBeLessThanOrEqual(2 * bound);
          }
          // the keys of the last bound - 1 uses that still exist are held
          const recent = new Set(used.slice(used.length - (bound - 1)));
          for (const key of recent) if (truth.has(key)) expect(map.has(key)).toBe(true);
        },
      ),
    );
  });
});
