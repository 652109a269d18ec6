/**
 * The shared polling subscription (polling-subscription.ts) with `types`: it reads when an
 * append may have written one of them, not for appends of other types, and still moves
 * past those for caughtUp.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory';
import { pollingSubscription } from '../../src/adapters/eventstore/polling-subscription';
import type { NewEvent, ReadAllOptions, RecordedEvent } from '../../src/application/ports/event-store';

const ev = (type: string): NewEvent => ({ id: randomUUID(), type, data: {}, metadata: {} });
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));

function countedStore() {
  const store = new MemoryEventStore();
  const reads: ReadAllOptions[] = [];
  const source = {
    readAll: (options: ReadAllOptions = {}) => {
      reads.push(options);
      return store.readAll(options);
    },
    headPosition: () => store.headPosition(),
    watch: store.watch.bind(store),
  };
  return { store, source, reads };
}

describe('a subscription to some event types', () => {
  it('reads after appends of its types, not after appends of others, and is caught up past them', async () => {
    const { store, source, reads } = countedStore();
    const received: RecordedEvent[] = [];
    const sub = pollingSubscription(source, (events) => void received.push(...events), { types: ['Picked'], pollIntervalMs: 60_000 });
    try {
      await sub.caughtUp();
      const before = reads.length;
      for (let i = 0; i < 5; i++) await store.appendToStream('s', [ev('Passed')]);
      await settle();
      expect(reads.length).toBe(before);
      expect(reads.every((r) => r.types?.join() === 'Picked')).toBe(true);

      await store.appendToStream('s', [ev('Passed'), ev('Picked')]);
      await settle();
      expect(reads.length).toBeGreaterThan(before);
      expect(received.map((e) => e.streamVersion)).toEqual([7]);

      // caughtUp reads even without a wake-up of its types
      const last = await store.appendToStream('s', [ev('Passed')]);
      await sub.caughtUp(last.lastGlobalPosition);
    } finally {
      await sub.close();
    }
  });

  it('reads on a wake-up that names no types (a store that cannot tell)', async () => {
    const { store, source, reads } = countedStore();
    let wake: (types?: ReadonlySet<string>) => void = () => {};
    const sub = pollingSubscription({ ...source, watch: (listener) => ((wake = listener), () => {}) }, () => {}, { types: ['Picked'], pollIntervalMs: 60_000 });
    try {
      await sub.caughtUp();
      const before = reads.length;
      await store.appendToStream('s', [ev('Passed')]);
      wake(new Set(['Passed']));
      await settle();
      expect(reads.length).toBe(before);
      wake(undefined);
      await settle();
      expect(reads.length).toBe(before + 1);
    } finally {
      await sub.close();
    }
  });
});
