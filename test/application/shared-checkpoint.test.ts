/**
 * Waiting for a projection that runs on another node: the waits share one poll of the
 * stored checkpoint, and each is answered once the checkpoint covers it, or once no event
 * the projection reads lies between the checkpoint and its target. A wait whose target is
 * an event of the projection's types is answered by the checkpoint alone, without reading the log.
 */
import { describe, expect, it, vi } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory';
import { MemoryReadModelStore } from '../../src/adapters/readmodels/memory';
import { SharedCheckpointWaits, sharedReach } from '../../src/application/projections/shared-checkpoint';
import type { Projection } from '../../src/application/projections/projection';
import { ProjectionRunner } from '../../src/application/projections/runner';

const projection: Projection = { name: 'phones', version: 1, eventTypes: ['PhoneAdded'], apply: () => [] };

async function setup() {
  const store = new MemoryEventStore();
  const readModels = new MemoryReadModelStore();
  // positions 1..6: read, skipped, skipped, read, skipped, skipped
  for (const type of ['PhoneAdded', 'Other', 'Other', 'PhoneAdded', 'Other', 'Other']) {
    await store.appendToStream(`s-${type}-${Math.random()}`, [{ id: crypto.randomUUID(), type, data: {}, metadata: {} }]);
  }
  let reads = 0;
  const counted = Object.assign(Object.create(readModels) as MemoryReadModelStore, {
    checkpoint: (name: string, slot: 'live' | 'rebuild') => {
      reads++;
      return readModels.checkpoint(name, slot);
    },
  });
  const moveTo = (position: number, expected?: number) =>
    readModels.commit({ projection: 'phones', slot: 'live', expected: expected === undefined ? undefined : { generation: 1, position: expected }, generation: 1, version: 1, position, changes: [] });
  return { store, readModels: counted, moveTo, reads: () => reads };
}

describe('waiting for a projection that runs elsewhere', () => {
  it('reaches the checkpoint, and past it up to the first event the projection reads', async () => {
    const { store, readModels, moveTo } = await setup();
    expect(await sharedReach(store, readModels, projection, 6)).toBe(0); // no checkpoint yet
    await moveTo(1);
    expect(await sharedReach(store, readModels, projection, 6)).toBe(3); // 2 and 3 are skipped, 4 is read
    expect(await sharedReach(store, readModels, projection, 2)).toBe(2); // no further than asked
    await moveTo(4, 1);
    expect(await sharedReach(store, readModels, projection, 6)).toBe(6);
  });

  it('answers many waits with one checkpoint read a tick, each when it is covered', async () => {
    const { store, readModels, moveTo, reads } = await setup();
    const waits = new SharedCheckpointWaits(store, readModels, 20);
    await moveTo(1);
    const answered: number[] = [];
    const all = [2, 3, 4, 5, 6, 6, 6, 6].map((target) => waits.wait(projection, { target, typed: false }, () => false).then(() => answered.push(target)));
    await new Promise((r) => setTimeout(r, 70));
    expect(answered.sort()).toEqual([2, 3]); // 4 waits for the projection to read event 4
    const ticks = reads();
    expect(ticks).toBeGreaterThanOrEqual(1);
    expect(ticks).toBeLessThanOrEqual(5); // one read a tick for all eight waits, not eight
    await moveTo(4, 1);
    await Promise.all(all);
    expect(answered.sort()).toEqual([2, 3, 4, 5, 6, 6, 6, 6]);
    const after = reads();
    await new Promise((r) => setTimeout(r, 60));
    expect(reads()).toBe(after); // no wait left: the poll stopped
  });

  it('lets a wait go when its caller stops waiting', async () => {
    const { store, readModels } = await setup();
    const waits = new SharedCheckpointWaits(store, readModels, 10);
    let stop = false;
    const wait = waits.wait(projection, { target: 6, typed: false }, () => stop);
    setTimeout(() => (stop = true), 30);
    await expect(wait).resolves.toBeUndefined();
  });

  it('answers waits on events of the projection\'s types by the checkpoint alone, without reading the log', async () => {
    const { store, readModels, moveTo } = await setup();
    let logReads = 0;
    const counted = Object.assign(Object.create(store) as MemoryEventStore, {
      readAll: (options: Parameters<MemoryEventStore['readAll']>[0]) => {
        logReads++;
        return store.readAll(options);
      },
    });
    const waits = new SharedCheckpointWaits(counted, readModels, 10);
    await moveTo(1);
    const answered: number[] = [];
    // 4 is the projection's own type: only its checkpoint answers it (the log between holds nothing for it)
    const four = waits.wait(projection, { target: 4, typed: true }, () => false).then(() => answered.push(4));
    await new Promise((r) => setTimeout(r, 40));
    expect(answered).toEqual([]);
    expect(logReads).toBe(0);
    // an untyped wait beside it: the log after the checkpoint answers it (2 and 3 are skipped)
    await waits.wait(projection, { target: 3, typed: false }, () => false);
    expect(logReads).toBeGreaterThan(0);
    expect(answered).toEqual([]);
    await moveTo(4, 1);
    await four;
    expect(answered).toEqual([4]);
  });

  it('is told by the runner whether the event waited for is of the projection\'s types, and not asked when the write holds none of them', async () => {
    const { store, readModels, moveTo } = await setup();
    const asked = vi.spyOn(SharedCheckpointWaits.prototype, 'wait');
    const runner = new ProjectionRunner(store, readModels, [projection], { lease: async () => false, sharedPollMs: 5, pollIntervalMs: 20 });
    await runner.start();
    try {
      await moveTo(6);
      await runner.caughtUp({ name: 'phones', position: 4, written: { last: 'PhoneAdded', all: ['PhoneAdded'] } });
      await runner.caughtUp({ name: 'phones', position: 5, written: { last: 'Other', all: ['PhoneAdded', 'Other'] } });
      await runner.caughtUp({ name: 'phones', position: 6 });
      // nothing of this write is the projection's: nothing to wait for, even far ahead of the checkpoint
      await runner.caughtUp({ name: 'phones', position: 1_000, written: { last: 'Other', all: ['Other'] } });
      expect(asked.mock.calls.map((call) => call[1])).toEqual([
        { target: 4, typed: true },
        { target: 5, typed: false },
        { target: 6, typed: false },
      ]);
    } finally {
      asked.mockRestore();
      await runner.stop();
    }
  });
});
