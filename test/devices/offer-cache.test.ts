/** The check-in's offer cache: kept for its time to live, forgotten at once when a job changes (test/e2e/multinode.test.ts: on another node too), never kept when its load failed. */
import { describe, expect, it } from 'vitest';
import type { OfferInputs } from '../../src/application/devices/offer-cache';
import { OfferCache } from '../../src/application/devices/offer-cache';
import { parseCategoryId, parseDomainName } from '../../src/domain';

const domain = parseDomainName('example.com');
const category = parseCategoryId('office');
if (domain._tag === 'Left' || category._tag === 'Left') throw new Error('bad fixture');

describe('OfferCache', () => {
  const setUp = () => {
    let now = 0;
    let loads = 0;
    let fail = false;
    const cache = new OfferCache(
      async (): Promise<OfferInputs> => {
        loads++;
        if (fail) throw new Error('store down');
        return { updateJob: null, config: { revision: `r${loads}` as never, settings: {} } };
      },
      () => now,
      1000,
    );
    return {
      cache,
      loads: () => loads,
      advance: (ms: number) => (now += ms),
      failing: (f: boolean) => (fail = f),
      revision: async () => (await cache.get(domain.right, category.right)).config?.revision,
    };
  };

  it('answers from memory within the time to live, then loads again', async () => {
    const t = setUp();
    expect(await t.revision()).toBe('r1');
    t.advance(999);
    expect(await t.revision()).toBe('r1');
    t.advance(1);
    expect(await t.revision()).toBe('r2');
    expect(t.loads()).toBe(2);
  });

  it('forgets everything when a job changed', async () => {
    const t = setUp();
    await t.revision();
    t.cache.invalidate();
    expect(await t.revision()).toBe('r2');
  });

  it('does not keep a failed load', async () => {
    const t = setUp();
    t.failing(true);
    await expect(t.revision()).rejects.toThrow('store down');
    t.failing(false);
    expect(await t.revision()).toBe('r2');
  });
});
