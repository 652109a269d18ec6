/**
 * The projection runner under a steady stream of appends: short pages follow each other no
 * sooner than `coalesceMs` apart, so the appends of that time are read and committed
 * together instead of one commit per append.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryEventStore } from '../../src/adapters/eventstore/memory';
import { MemoryReadModelStore } from '../../src/adapters/readmodels/memory';
import type { CommitArgs } from '../../src/application/ports/read-model-store';
import { put, type Projection } from '../../src/application/projections/projection';
import { ProjectionRunner } from '../../src/application/projections/runner';

const counter: Projection = {
  name: 'counted',
  version: 1,
  eventTypes: ['Counted'],
  async apply(event, view) {
    const n = (await view.get<{ n: number }>('totals', 'all'))?.n ?? 0;
    return [put('totals', 'all', { n: n + 1 }), put('last', 'all', { stream: event.streamName })];
  },
};

describe('the projection runner under a steady stream of appends', () => {
  it('commits the appends of each coalescing window together, and misses none', async () => {
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();
    // each commit takes a few milliseconds, as a round trip to a database server does: a
    // page is never empty while the appends keep coming, so only the window holds pages back
    let commits = 0;
    const slowly = <T>(answer: Promise<T>): Promise<T> => new Promise((r) => setTimeout(() => r(answer), 5));
    const counted = Object.assign(Object.create(readModels) as MemoryReadModelStore, {
      commit: (args: CommitArgs) => {
        commits++;
        return slowly(readModels.commit(args));
      },
      commitMany: (args: readonly CommitArgs[]) => {
        commits++;
        return slowly(readModels.commitMany(args));
      },
    });
    const runner = new ProjectionRunner(events, counted, [counter], { coalesceMs: 100, pollIntervalMs: 1000 });
    await runner.start();
    try {
      // 100 appends, one every 2 ms or so: one commit each if nothing held the pages back
      let last = 0;
      for (let i = 0; i < 100; i++) {
        last = (await events.appendToStream(`s-${randomUUID()}`, [{ id: randomUUID(), type: 'Counted', data: {} }])).lastGlobalPosition;
        await new Promise((r) => setTimeout(r, 2));
      }
      await runner.caughtUp({ position: last, timeoutMs: 10_000 });
      expect(await readModels.get('counted', 'totals', 'all')).toEqual({ n: 100 });
      // the appends took at least 200 ms: a few windows of 100 ms, not a commit every few milliseconds
      expect(commits).toBeLessThanOrEqual(8);
    } finally {
      await runner.stop();
    }
  });
});
