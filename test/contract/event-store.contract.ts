/**
 * The event store contract: one suite, run against every adapter
 * (memory.test.ts, sqlite.test.ts, postgres.test.ts, eventstoredb.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidEventError,
  WrongExpectedVersionError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../../src/application/ports/event-store';
import { chainContract } from './event-store-chain.contract';

export interface ContractHarness {
  /**
   * Opens a store on the suite's storage. Called more than once, it must give separate
   * instances (connections, pools) on the same storage, as separate app processes would have.
   */
  open(): Promise<EventStore>;
  /** drops the storage */
  dispose(): Promise<void>;
  /** false for a store that keeps no hash chain (EventStoreDB); default true */
  readonly chained?: boolean;
}

const ev = (type: string, data: Record<string, unknown> = {}, id = randomUUID()): NewEvent =>
  ({ id, type, data, metadata: { actor: 'test' } }) as NewEvent;

let streamCounter = 0;
const uniqueStream = (prefix = 'contract'): string => `${prefix}-${Date.now().toString(36)}-${++streamCounter}-${randomUUID().slice(0, 8)}`;

async function readEverything(store: EventStore, after = 0, limit = 1000): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let position = after;
  for (;;) {
    const page = await store.readAll({ after: position, limit });
    all.push(...page.events);
    if (page.events.length === 0) return all;
    position = page.position;
  }
}

export function eventStoreContract(name: string, makeHarness: () => Promise<ContractHarness>, options: { timeoutMs?: number } = {}): void {
  describe(`event store contract: ${name}`, { timeout: options.timeoutMs ?? 60_000 }, () => {
    let harness: ContractHarness;
    let store: EventStore;

    beforeAll(async () => {
      harness = await makeHarness();
      store = await harness.open();
    });
    afterAll(async () => {
      await store?.close();
      await harness?.dispose();
    });

    describe('append and read a stream', () => {
      it('numbers a new stream from 1 and reads it back in order with type, data, metadata and time', async () => {
        const stream = uniqueStream();
        const before = Date.now();
        const result = await store.appendToStream(stream, [ev('A', { n: 1, nested: { list: [1, 'two', null, true] } }), ev('B', { n: 2 })], {
          expectedVersion: 'no-stream',
        });
        expect(result.nextExpectedVersion).toBe(2);
        expect(result.lastGlobalPosition).toBeGreaterThan(0);
        const read = await store.readStream(stream);
        expect(read.currentVersion).toBe(2);
        expect(read.streamExists).toBe(true);
        expect(read.events.map((e) => [e.type, e.streamVersion, e.streamName])).toEqual([
          ['A', 1, stream],
          ['B', 2, stream],
        ]);
        expect(read.events[0]!.data).toEqual({ n: 1, nested: { list: [1, 'two', null, true] } });
        expect(read.events[0]!.metadata).toMatchObject({ actor: 'test' });
        expect(read.events[1]!.globalPosition).toBe(result.lastGlobalPosition);
        expect(read.events[0]!.globalPosition).toBeLessThan(read.events[1]!.globalPosition);
        const recorded = Date.parse(read.events[0]!.recordedAt);
        expect(read.events[0]!.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
        expect(recorded).toBeGreaterThanOrEqual(before - 5_000);
        expect(recorded).toBeLessThanOrEqual(Date.now() + 5_000);
      });

      it('reads a missing stream as version 0 without events', async () => {
        const read = await store.readStream(uniqueStream('missing'));
        expect(read).toEqual({ currentVersion: 0, streamExists: false, events: [] });
      });

      it('reads from a version on', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [1, 2, 3, 4, 5].map((n) => ev('N', { n })));
        const from3 = await store.readStream(stream, { from: 3 });
        expect(from3.events.map((e) => e.data['n'])).toEqual([3, 4, 5]);
        expect(from3.currentVersion).toBe(5);
        const from5 = await store.readStream(stream, { from: 5 });
        expect(from5.events.map((e) => e.streamVersion)).toEqual([5]);
        expect(await store.readStream(stream, { from: 0 })).toMatchObject({ currentVersion: 5, streamExists: true });
        expect((await store.readStream(stream, { from: 0 })).events.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5]);
      });

      it('answers the current version when reading from past the end, and 0 once the stream is deleted', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [ev('A'), ev('B')]);
        expect(await store.readStream(stream, { from: 3 })).toEqual({ currentVersion: 2, streamExists: true, events: [] });
        expect(await store.readStream(stream, { from: Number.MAX_SAFE_INTEGER })).toEqual({ currentVersion: 2, streamExists: true, events: [] });
        await store.deleteStream(stream);
        expect(await store.readStream(stream)).toEqual({ currentVersion: 0, streamExists: false, events: [] });
        expect(await store.readStream(stream, { from: 5 })).toEqual({ currentVersion: 0, streamExists: false, events: [] });
      });

      it('reads from every version of a stream', async () => {
        const stream = uniqueStream();
        await store.appendToStream(stream, [1, 2, 3, 4, 5, 6, 7].map((n) => ev('N', { n })));
        for (let from = 1; from <= 8; from++) {
          const read = await store.readStream(stream, { from });
          expect(read.events.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6, 7].filter((v) => v >= from));
          expect(read.currentVersion).toBe(7);
        }
      });
    });

    describe('optimistic concurrency', () => {
      it('checks no-stream and exact versions, and says what it found', async () => {
        const stream = uniqueStream();
        await expect(store.appendToStream(stream, [ev('A')], { expectedVersion: 1 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
        await expect(store.appendToStream(stream, [ev('A')], { expectedVersion: 3 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
        await store.appendToStream(stream, [ev('A')], { expectedVersion: 'no-stream' });
        const refused = await store.appendToStream(stream, [ev('B')], { expectedVersion: 'no-stream' }).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(WrongExpectedVersionError);
        expect((refused as WrongExpectedVersionError).actual).toBe(1);
        expect((refused as WrongExpectedVersionError).streamName).toBe(stream);
        await expect(store.appendToStream(stream, [ev('B')], { expectedVersion: 0 })).rejects.toBeInstanceOf(WrongExpectedVersionError);
        await store.appendToStream(stream, [ev('B')], { expectedVersion: 1 });
        await store.appendToStream(stream, [ev('C')], { expectedVersion: 2 });
        await store.appendToStream(stream, [ev('D')], { expectedVersion: 'any' });
        await store.appendToStream(stream, [ev('E')]);
        const read = await store.readStream(stream);
        expect(read.events.map((e) => e.type)).toEqual(['A', 'B', 'C', 'D', 'E']);
      });

      it('lets exactly one of two racing writers win, every time', async () => {
        for (let round = 0; round < 20; round++) {
          const stream = uniqueStream('race');
          await store.appendToStream(stream, [ev('Opened')]);
          const outcomes = await Promise.allSettled([
            store.appendToStream(stream, [ev('Claimed', { by: 'a' })], { expectedVersion: 1 }),
            store.appendToStream(stream, [ev('Claimed', { by: 'b' })], { expectedVersion: 1 }),
          ]);
          expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
          const rejected = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
          expect(rejected.reason).toBeInstanceOf(WrongExpectedVersionError);
          expect((await store.readStream(stream)).currentVersion).toBe(2);
        }
      });

      it('lets exactly one of two store instances on the same storage win', async () => {
        const other = await harness.open();
        try {
          for (let round = 0; round < 10; round++) {
            const stream = uniqueStream('race2');
            const outcomes = await Promise.allSettled([
              store.appendToStream(stream, [ev('Claimed', { by: 'a' })], { expectedVersion: 'no-stream' }),
              other.appendToStream(stream, [ev('Claimed', { by: 'b' })], { expectedVersion: 'no-stream' }),
            ]);
            expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
            expect((await other.readStream(stream)).events).toHaveLength(1);
          }
        } finally {
          await other.close();
        }
      });

      it('keeps each append of a concurrent burst to its own check and outcome', async () => {
        const streams = Array.from({ length: 10 }, () => uniqueStream('burst'));
        await Promise.all(streams.map((s) => store.appendToStream(s, [ev('Opened')])));
        // every stream gets one append expecting 1 (right) and one expecting 7 (wrong), all at once
        const attempts = streams.flatMap((s) => [
          store.appendToStream(s, [ev('Right')], { expectedVersion: 1 }).then(() => 'ok', (e: unknown) => e),
          store.appendToStream(s, [ev('Wrong')], { expectedVersion: 7 }).then(() => 'ok', (e: unknown) => e),
        ]);
        const outcomes = await Promise.all(attempts);
        outcomes.forEach((outcome, i) => {
          if (i % 2 === 0) expect(outcome).toBe('ok');
          else expect(outcome).toBeInstanceOf(WrongExpectedVersionError);
        });
        for (const s of streams) {
          expect((await store.readStream(s)).events.map((e) => e.type)).toEqual(['Opened', 'Right']);
        }
      });
    });

    describe('idempotent appends', () => {
      it('does not write events twice when their ids are already in the stream', async () => {
        const stream = uniqueStream('idem');
        const batch = [ev('A', {}, randomUUID()), ev('B', {}, randomUUID())];
        const head = await store.headPosition();
        const first = await store.appendToStream(stream, batch, { expectedVersion: 'no-stream' });
        const again = await store.appendToStream(stream, batch, { expectedVersion: 'no-stream' });
        expect(again.nextExpectedVersion).toBe(2);
        expect(again.lastGlobalPosition).toBe(first.lastGlobalPosition);
        const third = await store.appendToStream(stream, batch);
        expect(third.nextExpectedVersion).toBe(2);
        expect((await store.readStream(stream)).events).toHaveLength(2);
        const inAll = (await readEverything(store, head)).filter((e) => e.streamName === stream);
        expect(inAll).toHaveLength(2);
      });

      it('recognises a re-sent append while at most 32 events were appended after it', async () => {
        const stream = uniqueStream('idem');
        const batch = [ev('A'), ev('B')];
        const first = await store.appendToStream(stream, batch, { expectedVersion: 'no-stream' });
        for (let i = 0; i < 4; i++) await store.appendToStream(stream, Array.from({ length: 8 }, (_, j) => ev('Later', { i, j })));
        expect(await store.appendToStream(stream, batch, { expectedVersion: 'no-stream' })).toEqual({ nextExpectedVersion: 34, lastGlobalPosition: first.lastGlobalPosition });
        expect(await store.appendToStream(stream, batch)).toEqual({ nextExpectedVersion: 34, lastGlobalPosition: first.lastGlobalPosition });
        expect((await store.readStream(stream)).currentVersion).toBe(34);
      });

      it('refuses an append that repeats only some of the ids', async () => {
        const stream = uniqueStream('idem');
        const a = ev('A');
        await store.appendToStream(stream, [a]);
        await expect(store.appendToStream(stream, [a, ev('B')])).rejects.toBeInstanceOf(InvalidEventError);
        expect((await store.readStream(stream)).events).toHaveLength(1);
      });
    });

    describe('global order', () => {
      it('reads all events in one order that keeps every stream in version order, page by page', async () => {
        const head = await store.headPosition();
        const s1 = uniqueStream('order');
        const s2 = uniqueStream('order');
        for (let i = 1; i <= 5; i++) {
          await store.appendToStream(s1, [ev('X', { i })]);
          await store.appendToStream(s2, [ev('Y', { i }), ev('Y', { i: i + 0.5 })]);
        }
        const all = await readEverything(store, head, 3);
        const mine = all.filter((e) => e.streamName === s1 || e.streamName === s2);
        expect(mine).toHaveLength(15);
        for (let i = 1; i < all.length; i++) expect(all[i]!.globalPosition).toBeGreaterThan(all[i - 1]!.globalPosition);
        expect(mine.filter((e) => e.streamName === s1).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5]);
        expect(mine.filter((e) => e.streamName === s2).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect(await store.headPosition()).toBe(all[all.length - 1]!.globalPosition);
        const empty = await store.readAll({ after: await store.headPosition() });
        expect(empty.events).toEqual([]);
        expect(empty.position).toBe(await store.headPosition());
      });

      it('reads only the types asked for, page by page, each page covering at most the limit and moving past the rest', async () => {
        const head = await store.headPosition();
        const tag = randomUUID().slice(0, 8);
        const [wanted, alsoWanted, other] = [`Wanted-${tag}`, `AlsoWanted-${tag}`, `Other-${tag}`];
        const stream = uniqueStream('typed');
        const types = [other, wanted, other, other, alsoWanted, other, other, other, other, wanted, other, other];
        for (const [i, type] of types.entries()) await store.appendToStream(stream, [ev(type, { i })]);
        const expected = (await readEverything(store, head)).filter((e) => e.type === wanted || e.type === alsoWanted);
        expect(expected.map((e) => e.data['i'])).toEqual([1, 4, 9]);

        const seen: RecordedEvent[] = [];
        let position = head;
        let pages = 0;
        for (;;) {
          const page = await store.readAll({ after: position, limit: 3, types: [wanted, alsoWanted] });
          pages++;
          expect(page.covered).toBeLessThanOrEqual(3);
          expect(page.events.length).toBeLessThanOrEqual(page.covered);
          expect(page.events.every((e) => e.type === wanted || e.type === alsoWanted)).toBe(true);
          if (page.covered > 0) expect(page.position).toBeGreaterThan(position);
          else expect(page.position).toBe(position);
          seen.push(...page.events);
          position = page.position;
          if (page.covered < 3) break;
        }
        expect(seen).toEqual(expected);
        expect(pages).toBe(5); // 12 events, 3 a page: four full pages, then the empty end
        expect(position).toBe(await store.headPosition());

        // a page with none of the types still moves on: events 5 to 8 are all `other`
        const quiet = await store.readAll({ after: expected[1]!.globalPosition, limit: 4, types: [wanted] });
        expect(quiet.events).toEqual([]);
        expect(quiet.covered).toBe(4);
        expect(quiet.position).toBeGreaterThan(expected[1]!.globalPosition);
        expect(quiet.position).toBeLessThan(expected[2]!.globalPosition);
        // a type nobody wrote, and an untyped page says what it covered too
        const none = await store.readAll({ after: head, types: [`Never-${tag}`] });
        expect(none.events).toEqual([]);
        expect(none.position).toBe(await store.headPosition());
        expect((await store.readAll({ after: head, limit: 5 })).covered).toBe(5);
      });

      it('refuses a read of no types, of too many, or of types that are not names', async () => {
        const head = await store.headPosition();
        for (const types of [[], Array.from({ length: 101 }, (_, i) => `T${i}`), [''], [42], 'Wanted', ['x'.repeat(201)]]) {
          await expect(store.readAll({ after: head, types: types as unknown as string[] })).rejects.toBeInstanceOf(InvalidEventError);
        }
        expect((await store.readAll({ after: head, types: Array.from({ length: 100 }, (_, i) => `T${i}`) })).events).toEqual([]);
      });

      it('returns every event of 8 concurrent writers × 1,000 events exactly once, also to a reader running meanwhile', async () => {
        const head = await store.headPosition();
        const tag = randomUUID();
        const writers = 8;
        const perWriter = 1000;
        let writing = true;
        const seenLive: RecordedEvent[] = [];
        const seenTyped: RecordedEvent[] = [];
        const follow = async (seen: RecordedEvent[], types?: string[]): Promise<void> => {
          let position = head;
          for (;;) {
            const stillWriting = writing;
            const page = await store.readAll({ after: position, limit: 250, ...(types && { types }) });
            seen.push(...page.events);
            position = page.position;
            if (page.covered === 0) {
              if (!stillWriting) return;
              await new Promise((r) => setTimeout(r, 2));
            }
          }
        };
        // the typed reader asks for the writers' type among others, so its pages cover other events too
        const reader = Promise.all([follow(seenLive), follow(seenTyped, ['W', 'NotWritten'])]);
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            for (let i = 0; i < perWriter; i++) {
              // a few streams per writer, so writers also meet on no stream and the order interleaves
              await store.appendToStream(`w-${tag}-${w}-${i % 4}`, [ev('W', { w, i })]);
            }
          }),
        );
        writing = false;
        await reader;
        expect(seenTyped.every((e) => e.type === 'W')).toBe(true);
        for (const events of [await readEverything(store, head), seenLive, seenTyped]) {
          const mine = events.filter((e) => e.streamName.startsWith(`w-${tag}-`));
          expect(mine).toHaveLength(writers * perWriter);
          expect(new Set(mine.map((e) => e.id)).size).toBe(writers * perWriter);
          for (let w = 0; w < writers; w++) {
            expect(mine.filter((e) => e.data['w'] === w).map((e) => e.data['i'])).toEqual(Array.from({ length: perWriter }, (_, i) => i));
          }
          for (let i = 1; i < events.length; i++) expect(events[i]!.globalPosition).toBeGreaterThan(events[i - 1]!.globalPosition);
        }
      });
    });

    describe('subscriptions', () => {
      it('starts behind, catches up, then delivers live appends without gaps or repeats', async () => {
        const stream = uniqueStream('sub');
        const start = await store.headPosition();
        await store.appendToStream(stream, Array.from({ length: 30 }, (_, i) => ev('Old', { i })));
        const received: RecordedEvent[] = [];
        const sub = store.subscribeAll(
          (events) => {
            received.push(...events.filter((e) => e.streamName === stream));
          },
          { after: start, batchSize: 7 },
        );
        try {
          await sub.caughtUp();
          expect(received.map((e) => e.data['i'])).toEqual(Array.from({ length: 30 }, (_, i) => i));
          for (let i = 30; i < 60; i++) await store.appendToStream(stream, [ev('New', { i })]);
          await sub.caughtUp();
          expect(received.map((e) => e.data['i'])).toEqual(Array.from({ length: 60 }, (_, i) => i));
          const other = await harness.open();
          try {
            const r = await other.appendToStream(stream, [ev('FromElsewhere', { i: 60 })]);
            await sub.caughtUp(r.lastGlobalPosition);
          } finally {
            await other.close();
          }
          expect(received.map((e) => e.data['i'])).toEqual(Array.from({ length: 61 }, (_, i) => i));
        } finally {
          await sub.close();
        }
      });

      it('delivers only the types asked for, and is caught up past events of other types', async () => {
        const stream = uniqueStream('sub-typed');
        const start = await store.headPosition();
        const received: RecordedEvent[] = [];
        const sub = store.subscribeAll(
          (events) => {
            received.push(...events);
          },
          { after: start, batchSize: 4, types: ['Picked'] },
        );
        try {
          await store.appendToStream(stream, Array.from({ length: 10 }, (_, i) => ev(i % 3 === 0 ? 'Picked' : 'Passed', { i })));
          await sub.caughtUp();
          expect(received.every((e) => e.type === 'Picked')).toBe(true);
          expect(received.filter((e) => e.streamName === stream).map((e) => e.data['i'])).toEqual([0, 3, 6, 9]);
          // only other types since: caughtUp still ends, at the head
          const last = await store.appendToStream(stream, [ev('Passed', { i: 10 }), ev('Passed', { i: 11 })]);
          await sub.caughtUp(last.lastGlobalPosition);
          expect(received.filter((e) => e.streamName === stream)).toHaveLength(4);
        } finally {
          await sub.close();
        }
      });

      it('wakes watchers after an append, naming its event types where the store knows them', async () => {
        const tag = randomUUID().slice(0, 8);
        const calls: Array<ReadonlySet<string> | undefined> = [];
        const stop = store.watch((types) => calls.push(types));
        try {
          await store.appendToStream(uniqueStream('watch'), [ev(`A-${tag}`), ev(`B-${tag}`)]);
          for (let i = 0; i < 200 && calls.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
          expect(calls.length).toBeGreaterThan(0);
          // undefined: anything may have been appended (a store that cannot tell)
          expect(calls.some((types) => types === undefined || (types.has(`A-${tag}`) && types.has(`B-${tag}`)))).toBe(true);
          expect(calls.every((types) => types === undefined || types instanceof Set)).toBe(true);
        } finally {
          stop();
        }
      });

      it('delivers a batch again when the handler fails', async () => {
        const stream = uniqueStream('sub-retry');
        const start = await store.headPosition();
        await store.appendToStream(stream, [ev('One'), ev('Two')]);
        let failures = 0;
        const received: string[] = [];
        const sub = store.subscribeAll(
          (events) => {
            const mine = events.filter((e) => e.streamName === stream);
            if (mine.length > 0 && failures++ === 0) throw new Error('handler hiccup');
            received.push(...mine.map((e) => e.type));
          },
          { after: start },
        );
        try {
          await sub.caughtUp();
          expect(received).toEqual(['One', 'Two']);
          expect(failures).toBe(2);
        } finally {
          await sub.close();
        }
      });
    });

    describe('delete', () => {
      it('removes a stream and its events, and the stream may start afresh', async () => {
        const stream = uniqueStream('del');
        const keep = uniqueStream('keep');
        const head = await store.headPosition();
        await store.appendToStream(stream, [ev('Personal', { mac: '009033aabbcc' }), ev('More')]);
        await store.appendToStream(keep, [ev('Kept')]);
        await store.deleteStream(stream);
        const read = await store.readStream(stream);
        expect(read.events).toEqual([]);
        expect(read.streamExists).toBe(false);
        const all = await readEverything(store, head);
        expect(all.filter((e) => e.streamName === stream)).toEqual([]);
        expect(all.filter((e) => e.streamName === keep)).toHaveLength(1);
        await store.deleteStream(stream); // again: no error
        await store.deleteStream(uniqueStream('never'));
        await store.appendToStream(stream, [ev('Again')], { expectedVersion: 'no-stream' });
        expect((await store.readStream(stream)).events.map((e) => e.type)).toEqual(['Again']);
      });
    });

    describe('personal parts', () => {
      const withPersonal = (type: string, data: Record<string, unknown>, personal: Record<string, unknown>): NewEvent =>
        ({ id: randomUUID(), type, data, personal, metadata: { actor: 'test' } }) as NewEvent;

      it('keeps the personal part apart from the data, in stream reads, readAll and subscriptions', async () => {
        const stream = uniqueStream('personal');
        const head = await store.headPosition();
        await store.appendToStream(stream, [
          withPersonal('Requested', { codeHash: 'h1', entries: [{ userId: 'a' }, { userId: 'b' }] }, { code: '123456789012', 'entries.1.code': '210987654321' }),
          ev('Plain', { n: 1 }),
        ]);
        const [first, second] = (await store.readStream(stream)).events;
        expect(first!.data).toEqual({ codeHash: 'h1', entries: [{ userId: 'a' }, { userId: 'b' }] });
        expect(first!.personal).toEqual({ code: '123456789012', 'entries.1.code': '210987654321' });
        expect(second!.personal).toEqual({});
        const inAll = (await readEverything(store, head)).find((e) => e.streamName === stream);
        expect(inAll?.personal).toEqual(first!.personal);
        const seen: RecordedEvent[] = [];
        const sub = store.subscribeAll((events) => void seen.push(...events.filter((e) => e.streamName === stream)), { after: head });
        try {
          await sub.caughtUp();
        } finally {
          await sub.close();
        }
        expect(seen[0]?.personal).toEqual(first!.personal);
      });

      it('purges every value of a stream\'s personal parts, or of the events named, keeping paths, data, ids and positions', async () => {
        const stream = uniqueStream('purge');
        const other = uniqueStream('purge-other');
        const head = await store.headPosition();
        const a = withPersonal('Started', { n: 1 }, { 'entries.0.code': '111111111111', 'entries.1.code': '222222222222' });
        const b = withPersonal('Reissued', { n: 2 }, { code: '333333333333' });
        await store.appendToStream(stream, [a, b, ev('Plain', { n: 3 })]);
        await store.appendToStream(other, [withPersonal('Started', { n: 1 }, { code: '444444444444' })]);
        const before = (await store.readStream(stream)).events;
        await store.purgePersonalData(stream, { eventIds: [a.id] });
        let read = (await store.readStream(stream)).events;
        expect(read.map((e) => e.personal)).toEqual([{ 'entries.0.code': null, 'entries.1.code': null }, { code: '333333333333' }, {}]);
        await store.purgePersonalData(stream);
        await store.purgePersonalData(stream); // again: nothing changes
        read = (await store.readStream(stream)).events;
        expect(read.map((e) => e.personal)).toEqual([{ 'entries.0.code': null, 'entries.1.code': null }, { code: null }, {}]);
        expect(read.map((e) => [e.id, e.type, e.data, e.streamVersion, e.globalPosition])).toEqual(before.map((e) => [e.id, e.type, e.data, e.streamVersion, e.globalPosition]));
        // from a position the store handed out: EventStoreDB positions are byte offsets, not every number is one
        const all = await readEverything(store, head);
        expect(JSON.stringify(all.filter((e) => e.streamName === stream))).not.toMatch(/111111111111|222222222222|333333333333/);
        expect((await store.readStream(other)).events[0]!.personal).toEqual({ code: '444444444444' });
        const another = await harness.open();
        try {
          expect((await another.readStream(stream)).events[1]!.personal).toEqual({ code: null });
        } finally {
          await another.close();
        }
        await store.purgePersonalData(uniqueStream('never'));
        await store.eraseDeleted();
      });

      it('refuses a personal part that is not a flat map of paths, or whose path is in the data', async () => {
        const stream = uniqueStream('personal-bad');
        for (const personal of [[1], { '': 'x' }, { 'a..b': 'x' }, { code: () => 1 }]) {
          await expect(store.appendToStream(stream, [withPersonal('A', {}, personal as never)])).rejects.toBeInstanceOf(InvalidEventError);
        }
        await expect(store.appendToStream(stream, [withPersonal('A', { code: 'x' }, { code: 'y' })])).rejects.toBeInstanceOf(InvalidEventError);
        await expect(store.purgePersonalData(stream, { eventIds: 'all' as never })).rejects.toBeInstanceOf(InvalidEventError);
        expect((await store.readStream(stream)).streamExists).toBe(false);
      });
    });

    chainContract(
      () => store,
      () => harness.open(),
      // the harness is made in beforeAll; only EventStoreDB's says it keeps no chain
      !name.startsWith('eventstoredb'),
    );

    describe('bad input is refused before anything is written', () => {
      const circular: Record<string, unknown> = {};
      circular['self'] = circular;
      const cases: Array<[string, () => [string, unknown[], unknown?]]> = [
        ['an empty stream name', () => ['', [ev('A')]]],
        ['a blank stream name', () => ['   ', [ev('A')]]],
        ['a reserved stream name', () => ['$all', [ev('A')]]],
        ['no events', () => [uniqueStream('bad'), []]],
        ['an event without id', () => [uniqueStream('bad'), [{ type: 'A', data: {} }]]],
        ['an event without type', () => [uniqueStream('bad'), [{ id: randomUUID(), data: {} }]]],
        ['data that is not an object', () => [uniqueStream('bad'), [{ id: randomUUID(), type: 'A', data: 'text' }]]],
        ['data holding a function', () => [uniqueStream('bad'), [{ id: randomUUID(), type: 'A', data: { f: () => 1 } }]]],
        ['data holding a bigint', () => [uniqueStream('bad'), [{ id: randomUUID(), type: 'A', data: { n: 10n } }]]],
        ['data holding NaN', () => [uniqueStream('bad'), [{ id: randomUUID(), type: 'A', data: { n: Number.NaN } }]]],
        ['data holding a Date object', () => [uniqueStream('bad'), [{ id: randomUUID(), type: 'A', data: { at: new Date() } }]]],
        ['circular data', () => [uniqueStream('bad'), [{ id: randomUUID(), type: 'A', data: circular }]]],
        ['metadata that is not an object', () => [uniqueStream('bad'), [{ id: randomUUID(), type: 'A', data: {}, metadata: [1] }]]],
        ['the same id twice in one append', () => { const id = randomUUID(); return [uniqueStream('bad'), [{ id, type: 'A', data: {} }, { id, type: 'B', data: {} }]]; }],
        ['a negative expected version', () => [uniqueStream('bad'), [ev('A')], -1]],
        ['an expected version that is no version', () => [uniqueStream('bad'), [ev('A')], 'latest']],
        ['the expected version "exists", which the port does not offer', () => [uniqueStream('bad'), [ev('A')], 'exists']],
      ];
      it.each(cases)('refuses %s with InvalidEventError', async (_label, make) => {
        const [stream, events, expectedVersion] = make();
        const head = await store.headPosition();
        const options = expectedVersion === undefined ? {} : { expectedVersion: expectedVersion as never };
        await expect(store.appendToStream(stream, events as NewEvent[], options)).rejects.toBeInstanceOf(InvalidEventError);
        expect(await store.headPosition()).toBe(head);
        if (stream.trim() !== '' && !stream.startsWith('$')) expect((await store.readStream(stream)).streamExists).toBe(false);
      });

      it('refuses bad read arguments', async () => {
        await expect(store.readStream('')).rejects.toBeInstanceOf(InvalidEventError);
        await expect(store.readAll({ after: -1 })).rejects.toBeInstanceOf(InvalidEventError);
        await expect(store.readAll({ limit: 0 })).rejects.toBeInstanceOf(InvalidEventError);
        await expect(store.readStream(uniqueStream(), { from: -2 })).rejects.toBeInstanceOf(InvalidEventError);
      });
    });

    it('answers ping', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}
