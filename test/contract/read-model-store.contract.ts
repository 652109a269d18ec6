/**
 * The read model store contract, run against every adapter (memory, SQLite, PostgreSQL),
 * and the projection runner on top of each: checkpoints, compare-and-set commits,
 * rebuild with swap, queries of the live generation.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, RecordedEvent } from '../../src/application/ports/event-store';
import type { ReadModelStore } from '../../src/application/ports/read-model-store';
import { put, remove, type Projection } from '../../src/application/projections/projection';
import { ProjectionRunner } from '../../src/application/projections/runner';

export interface ReadModelHarness {
  /** an event store and a read model store on the suite's storage; open() twice gives two processes' worth */
  open(): Promise<{ events: EventStore; readModels: ReadModelStore; close(): Promise<void> }>;
  dispose(): Promise<void>;
}

/** counts events per type and keeps the last data per stream; deletes a stream's doc on `Gone` */
const counter = (name: string, version = 1): Projection => ({
  name,
  version,
  eventTypes: ['Counted', 'Gone'],
  async apply(event: RecordedEvent, view) {
    if (event.type === 'Gone') return [remove('streams', event.streamName)];
    const total = (await view.get<{ n: number }>('totals', event.type))?.n ?? 0;
    return [put('totals', event.type, { n: total + 1 }), put('streams', event.streamName, { last: event.data, version })];
  },
});

export function readModelStoreContract(name: string, makeHarness: () => Promise<ReadModelHarness>): void {
  describe(`read model store contract: ${name}`, { timeout: 60_000 }, () => {
    let harness: ReadModelHarness;
    let a: Awaited<ReturnType<ReadModelHarness['open']>>;

    beforeAll(async () => {
      harness = await makeHarness();
      a = await harness.open();
    });
    afterAll(async () => {
      await a?.close();
      await harness?.dispose();
    });

    const p = (): string => `p_${randomUUID().slice(0, 8)}`;

    /** a runner of the counter whose document reads are recorded; `count` appends one event and waits for it */
    const countedRunner = (name: string, options: { documentCacheEntries?: number }) => {
      const reads: string[] = [];
      const counted: ReadModelStore = Object.create(a.readModels, {
        getIn: {
          value: (projection: string, generation: number, collection: string, key: string) => {
            if (projection === name) reads.push(`${collection}/${key}`);
            return a.readModels.getIn(projection, generation, collection, key);
          },
        },
      });
      const runner = new ProjectionRunner(a.events, counted, [counter(name)], { pollIntervalMs: 20, coalesceMs: 0, ...options });
      const count = async (stream: string, i: number): Promise<void> => {
        const r = await a.events.appendToStream(stream, [{ id: randomUUID(), type: 'Counted', data: { i } }]);
        await runner.caughtUp({ position: r.lastGlobalPosition, timeoutMs: 10_000 });
      };
      return { reads, runner, count };
    };

    it('commits documents with the checkpoint, and only from the expected checkpoint', async () => {
      const rm = a.readModels;
      const name = p();
      expect(await rm.checkpoint(name, 'live')).toBeUndefined();
      expect(await rm.commit({ projection: name, slot: 'live', expected: undefined, generation: 1, version: 1, position: 5, changes: [put('c', 'k1', { v: 1 }), put('c', 'k2', { v: 2 })] })).toBe(true);
      expect(await rm.commit({ projection: name, slot: 'live', expected: undefined, generation: 1, version: 1, position: 6, changes: [put('c', 'k1', { v: 99 })] })).toBe(false);
      expect(await rm.commit({ projection: name, slot: 'live', expected: { generation: 1, position: 4 }, generation: 1, version: 1, position: 6, changes: [put('c', 'k1', { v: 99 })] })).toBe(false);
      expect(await rm.get(name, 'c', 'k1')).toEqual({ v: 1 });
      expect(await rm.commit({ projection: name, slot: 'live', expected: { generation: 1, position: 5 }, generation: 1, version: 1, position: 9, changes: [remove('c', 'k2'), put('c', 'k3', { v: 3, nested: { a: [1, 'x'] } })] })).toBe(true);
      const cp = await rm.checkpoint(name, 'live');
      expect(cp).toMatchObject({ projection: name, slot: 'live', generation: 1, position: 9, version: 1 });
      expect(Date.parse(cp!.updatedAt)).not.toBeNaN();
      expect(await rm.get(name, 'c', 'k2')).toBeUndefined();
      expect(await rm.get(name, 'c', 'k3')).toEqual({ v: 3, nested: { a: [1, 'x'] } });
      expect(await rm.getIn(name, 1, 'c', 'k3')).toEqual({ v: 3, nested: { a: [1, 'x'] } });
      expect([...(await rm.getMany(name, 'c', ['k1', 'k2', 'k3'])).keys()].sort()).toEqual(['k1', 'k3']);
      expect((await rm.checkpoints()).some((c) => c.projection === name)).toBe(true);
    });

    it('lists by key prefix, in order, reversed, paged, and counts', async () => {
      const rm = a.readModels;
      const name = p();
      const keys = ['a/1', 'a/2', 'a/3', 'ab/1', 'b/1'];
      await rm.commit({ projection: name, slot: 'live', expected: undefined, generation: 1, version: 1, position: 1, changes: keys.map((k) => put('docs', k, { k })) });
      await rm.commit({ projection: name, slot: 'live', expected: { generation: 1, position: 1 }, generation: 1, version: 1, position: 2, changes: [put('other', 'a/9', { k: 'x' })] });
      expect((await rm.list(name, 'docs')).map((d) => d.key)).toEqual(keys);
      expect((await rm.list(name, 'docs', { prefix: 'a/' })).map((d) => d.key)).toEqual(['a/1', 'a/2', 'a/3']);
      expect((await rm.list(name, 'docs', { prefix: 'a/', reverse: true, limit: 2 })).map((d) => d.key)).toEqual(['a/3', 'a/2']);
      expect((await rm.list(name, 'docs', { prefix: 'a/', afterKey: 'a/1' })).map((d) => d.key)).toEqual(['a/2', 'a/3']);
      expect((await rm.list(name, 'docs', { prefix: 'a/', reverse: true, afterKey: 'a/3' })).map((d) => d.key)).toEqual(['a/2', 'a/1']);
      expect((await rm.list(name, 'docs', { prefix: 'a' })).map((d) => d.doc['k'])).toEqual(['a/1', 'a/2', 'a/3', 'ab/1']);
      expect(await rm.count(name, 'docs')).toBe(5);
      expect(await rm.count(name, 'docs', 'a/')).toBe(3);
      expect(await rm.count(name, 'nothing')).toBe(0);
      expect(await rm.list(p(), 'docs')).toEqual([]);
    });

    it('promotes a rebuilt generation and drops the others', async () => {
      const rm = a.readModels;
      const name = p();
      await rm.commit({ projection: name, slot: 'live', expected: undefined, generation: 1, version: 1, position: 10, changes: [put('c', 'old', { g: 1 })] });
      expect(await rm.maxGeneration(name)).toBe(1);
      await rm.commit({ projection: name, slot: 'rebuild', expected: undefined, generation: 2, version: 2, position: 0, changes: [] });
      await rm.commit({ projection: name, slot: 'rebuild', expected: { generation: 2, position: 0 }, generation: 2, version: 2, position: 8, changes: [put('c', 'new', { g: 2 })] });
      expect(await rm.maxGeneration(name)).toBe(2);
      expect(await rm.get(name, 'c', 'old')).toEqual({ g: 1 }); // live still answers
      expect(await rm.get(name, 'c', 'new')).toBeUndefined();
      expect(await rm.promote(name, { generation: 2, position: 7 })).toBe(false);
      expect(await rm.promote(name, { generation: 2, position: 8 })).toBe(true);
      expect(await rm.checkpoint(name, 'live')).toMatchObject({ generation: 2, position: 8, version: 2 });
      expect(await rm.checkpoint(name, 'rebuild')).toBeUndefined();
      expect(await rm.get(name, 'c', 'new')).toEqual({ g: 2 });
      expect(await rm.get(name, 'c', 'old')).toBeUndefined();
      expect(await rm.getIn(name, 1, 'c', 'old')).toBeUndefined();
      // an abandoned rebuild is dropped with its documents
      await rm.commit({ projection: name, slot: 'rebuild', expected: undefined, generation: 3, version: 2, position: 3, changes: [put('c', 'x', {})] });
      await rm.dropSlot(name, 'rebuild');
      expect(await rm.getIn(name, 3, 'c', 'x')).toBeUndefined();
      expect(await rm.get(name, 'c', 'new')).toEqual({ g: 2 });
    });

    it('commits several projections together, each with its own check and answer (skipped for an adapter without commitMany: the runner then commits one by one)', async (ctx) => {
      const rm = a.readModels;
      if (!rm.commitMany) return ctx.skip();
      const [p1, p2, p3] = [p(), p(), p()];
      await rm.commit({ projection: p2, slot: 'live', expected: undefined, generation: 1, version: 1, position: 3, changes: [] });
      const results = await rm.commitMany([
        { projection: p1, slot: 'live', expected: undefined, generation: 1, version: 1, position: 7, changes: [put('c', 'k', { n: 1 })] },
        { projection: p2, slot: 'live', expected: { generation: 1, position: 2 }, generation: 1, version: 1, position: 7, changes: [put('c', 'k', { n: 2 })] },
        { projection: p3, slot: 'live', expected: undefined, generation: 1, version: 1, position: 7, changes: [put('c', 'k', { n: 3 })] },
      ]);
      expect(results).toEqual([true, false, true]);
      expect(await rm.get(p1, 'c', 'k')).toEqual({ n: 1 });
      expect(await rm.get(p2, 'c', 'k')).toBeUndefined();
      expect((await rm.checkpoint(p2, 'live'))!.position).toBe(3);
      expect(await rm.get(p3, 'c', 'k')).toEqual({ n: 3 });
    });

    it('lets one of two processes commit the same batch', async () => {
      const b = await harness.open();
      try {
        const name = p();
        await a.readModels.commit({ projection: name, slot: 'live', expected: undefined, generation: 1, version: 1, position: 1, changes: [] });
        const results = await Promise.all([
          a.readModels.commit({ projection: name, slot: 'live', expected: { generation: 1, position: 1 }, generation: 1, version: 1, position: 2, changes: [put('c', 'k', { by: 'a' })] }),
          b.readModels.commit({ projection: name, slot: 'live', expected: { generation: 1, position: 1 }, generation: 1, version: 1, position: 2, changes: [put('c', 'k', { by: 'b' })] }),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results[0] ? 'a' : 'b';
        expect(await b.readModels.get(name, 'c', 'k')).toEqual({ by: winner });
      } finally {
        await b.close();
      }
    });

    describe('projection runner', () => {
      it('keeps a projection caught up, live, and answers status', async () => {
        const name = p();
        const stream = `rm-${randomUUID()}`;
        const runner = new ProjectionRunner(a.events, a.readModels, [counter(name)], { pollIntervalMs: 50 });
        const head = await a.events.headPosition();
        await a.events.appendToStream(stream, Array.from({ length: 20 }, (_, i) => ({ id: randomUUID(), type: 'Counted', data: { i } })));
        await runner.start();
        try {
          await runner.caughtUp({ timeoutMs: 10_000 });
          expect(await a.readModels.get(name, 'totals', 'Counted')).toEqual({ n: 20 + (await countBefore(a.events, head)) });
          expect(await a.readModels.get(name, 'streams', stream)).toEqual({ last: { i: 19 }, version: 1 });
          const r = await a.events.appendToStream(stream, [{ id: randomUUID(), type: 'Gone', data: {} }]);
          await runner.caughtUp({ position: r.lastGlobalPosition, timeoutMs: 10_000 });
          expect(await a.readModels.get(name, 'streams', stream)).toBeUndefined();
          const [status] = (await runner.status()).filter((s) => s.name === name);
          expect(status).toMatchObject({ name, version: 1, liveVersion: 1, behind: 0, rebuilding: null });
          expect(status!.position).toBe(r.lastGlobalPosition);
          expect(await runner.isCaughtUp()).toBe(true);
        } finally {
          await runner.stop();
        }
      });

      it('rebuilds into a fresh generation and swaps it in, also for a new projection version', async () => {
        const name = p();
        const stream = `rm-${randomUUID()}`;
        await a.events.appendToStream(stream, [{ id: randomUUID(), type: 'Counted', data: { i: 1 } }]);
        const v1 = new ProjectionRunner(a.events, a.readModels, [counter(name, 1)], { pollIntervalMs: 50 });
        await v1.start();
        await v1.caughtUp({ timeoutMs: 10_000 });
        const before = (await a.readModels.get<{ n: number }>(name, 'totals', 'Counted'))!.n;
        await v1.rebuild(name);
        expect(await a.readModels.get(name, 'totals', 'Counted')).toEqual({ n: before });
        expect((await a.readModels.checkpoint(name, 'live'))!.generation).toBe(2);
        await v1.stop();
        // a new version of the projection: its runner rebuilds in the background
        const v2 = new ProjectionRunner(a.events, a.readModels, [counter(name, 2)], { pollIntervalMs: 50 });
        await v2.start();
        try {
          for (let i = 0; i < 200 && (await a.readModels.checkpoint(name, 'live'))!.version !== 2; i++) await new Promise((r) => setTimeout(r, 25));
          expect(await a.readModels.checkpoint(name, 'live')).toMatchObject({ version: 2, generation: 3 });
          expect(await a.readModels.get(name, 'streams', stream)).toEqual({ last: { i: 1 }, version: 2 });
        } finally {
          await v2.stop();
        }
      });

      it('reads a document once while the checkpoint is its own, and again after another process moved it', async () => {
        const name = p();
        const { reads, runner, count } = countedRunner(name, {});
        await runner.start();
        try {
          const stream = `rm-${randomUUID()}`;
          await count(stream, 1);
          const total = (await a.readModels.get<{ n: number }>(name, 'totals', 'Counted'))!.n;
          reads.length = 0;
          for (let i = 2; i <= 4; i++) await count(stream, i);
          expect(await a.readModels.get(name, 'totals', 'Counted')).toEqual({ n: total + 3 });
          expect(reads).toEqual([]);
          // another process commits a batch of its own: this runner's next commit loses the race, reloads and reads afresh
          const cp = (await a.readModels.checkpoint(name, 'live'))!;
          const other = await a.events.appendToStream(stream, [{ id: randomUUID(), type: 'Other', data: {} }]);
          expect(await a.readModels.commit({ projection: name, slot: 'live', expected: cp, generation: cp.generation, version: 1, position: other.lastGlobalPosition, changes: [put('totals', 'Counted', { n: 1000 })] })).toBe(true);
          await count(stream, 5);
          expect(await a.readModels.get(name, 'totals', 'Counted')).toEqual({ n: 1001 });
          expect(reads).toContain('totals/Counted');
        } finally {
          await runner.stop();
        }
      });

      it('keeps no documents when told so', async () => {
        const name = p();
        const { reads, runner, count } = countedRunner(name, { documentCacheEntries: 0 });
        await runner.start();
        try {
          const stream = `rm-${randomUUID()}`;
          for (let i = 1; i <= 3; i++) await count(stream, i);
          expect(reads.filter((r) => r === 'totals/Counted').length).toBeGreaterThanOrEqual(3);
        } finally {
          await runner.stop();
        }
      });

      it('applies every batch once when two processes run the same projection', async () => {
        const b = await harness.open();
        const name = p();
        const head = await a.events.headPosition();
        const runners = [
          new ProjectionRunner(a.events, a.readModels, [counter(name)], { pollIntervalMs: 20, batchSize: 7 }),
          new ProjectionRunner(b.events, b.readModels, [counter(name)], { pollIntervalMs: 20, batchSize: 7 }),
        ];
        try {
          await Promise.all(runners.map((r) => r.start()));
          const stream = `rm-${randomUUID()}`;
          for (let i = 0; i < 100; i++) await (i % 2 ? a : b).events.appendToStream(stream, [{ id: randomUUID(), type: 'Counted', data: { i } }]);
          const last = await a.events.headPosition();
          await Promise.all(runners.map((r) => r.caughtUp({ position: last, timeoutMs: 15_000 })));
          expect(await a.readModels.get(name, 'totals', 'Counted')).toEqual({ n: 100 + (await countBefore(a.events, head)) });
        } finally {
          await Promise.all(runners.map((r) => r.stop()));
          await b.close();
        }
      });
    });
  });
}

async function countBefore(events: EventStore, head: number): Promise<number> {
  let n = 0;
  let position = 0;
  for (;;) {
    const page = await events.readAll({ after: position, limit: 1000 });
    for (const e of page.events) if (e.globalPosition <= head && e.type === 'Counted') n++;
    if (page.events.length === 0 || page.position >= head) return n;
    position = page.position;
  }
}

