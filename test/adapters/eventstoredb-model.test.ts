/**
 * The EventStoreDB adapter against an in-process model of the server (test/support/esdb-model.ts),
 * for the behaviour that is specific to EventStoreDB: re-created streams, deleted events
 * in `$all`, ids that are not UUIDs, the idempotency window, system events, an unreachable
 * server. The model is not a server; the contract suite against a real one is
 * test/contract/eventstoredb.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStoreDbEventStore, type EventStoreDbEventStoreOptions } from '../../src/adapters/eventstore/eventstoredb';
import {
  InvalidEventError,
  StoreUnavailableError,
  WrongExpectedVersionError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../../src/application/ports/event-store';
import { EsdbModel, type ModelOptions } from '../support/esdb-model';

const ev = (type: string, data: Record<string, unknown> = {}, id: string = randomUUID()): NewEvent =>
  ({ id, type, data, metadata: { actor: 'test' } }) as NewEvent;

const opened: EventStore[] = [];
function open(model: EsdbModel, options: EventStoreDbEventStoreOptions = {}): EventStoreDbEventStore {
  const store = new EventStoreDbEventStore(model.client(), options, true);
  opened.push(store);
  return store;
}
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

function setup(options: ModelOptions = {}, storeOptions: EventStoreDbEventStoreOptions = {}) {
  const model = new EsdbModel(options);
  return { model, store: open(model, storeOptions) };
}

async function everything(store: EventStore, after = 0): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (let position = after; ; ) {
    const page = await store.readAll({ after: position, limit: 2 });
    if (page.events.length === 0) return all;
    all.push(...page.events);
    position = page.position;
  }
}

describe('EventStoreDB adapter (against a model of the server)', () => {
  it('continues the numbering of a re-created stream and keeps reads, appends and expected versions consistent', async () => {
    const { store } = setup();
    await store.appendToStream('device-1', [ev('A'), ev('B')], { expectedVersion: 'no-stream' });
    await store.deleteStream('device-1');
    expect(await store.readStream('device-1')).toEqual({ currentVersion: 0, streamExists: false, events: [] });
    await expect(store.appendToStream('device-1', [ev('X')], { expectedVersion: 2 })).rejects.toMatchObject({ actual: 0 });
    await expect(store.appendToStream('device-1', [ev('X')], { expectedVersion: 3 })).rejects.toBeInstanceOf(WrongExpectedVersionError);

    const again = await store.appendToStream('device-1', [ev('Again')], { expectedVersion: 'no-stream' });
    // revisions continue after a soft delete, past the 2 events and the deletion marker
    expect(again.nextExpectedVersion).toBe(4);
    const read = await store.readStream('device-1');
    expect(read.currentVersion).toBe(4);
    expect(read.events.map((e) => [e.type, e.streamVersion])).toEqual([['Again', 4]]);
    expect(read.events[0]!.globalPosition).toBe(again.lastGlobalPosition);
    expect((await store.readStream('device-1', { from: 1 })).events.map((e) => e.type)).toEqual(['Again']);
    expect(await store.readStream('device-1', { from: 5 })).toEqual({ currentVersion: 4, streamExists: true, events: [] });

    await expect(store.appendToStream('device-1', [ev('C')], { expectedVersion: 1 })).rejects.toMatchObject({ actual: 4 });
    expect((await store.appendToStream('device-1', [ev('C')], { expectedVersion: 4 })).nextExpectedVersion).toBe(5);
    expect((await everything(store)).filter((e) => e.streamName === 'device-1').map((e) => e.type)).toEqual(['Again', 'C']);
  });

  it('fails an append that reuses the ids of a deleted stream\'s events instead of reporting a write that did not happen', async () => {
    const { store } = setup({ undeleteDelayMs: 5 }, { recreateWaitMs: 50 });
    const issued = ev('Issued', {}, 'code-issued:abc');
    const noted = ev('Noted', {}, randomUUID());
    await store.appendToStream('code-abc', [issued, noted], { expectedVersion: 'no-stream' });
    await store.deleteStream('code-abc');
    // the server takes these for repeats of the deleted events (its id check ignores deletes) and writes nothing
    await expect(store.appendToStream('code-abc', [issued], { expectedVersion: 'no-stream' })).rejects.toThrow(/reuses ids of its deleted events/);
    await expect(store.appendToStream('code-abc', [noted])).rejects.toThrow(/reuses ids of its deleted events/);
    expect(await store.readStream('code-abc')).toEqual({ currentVersion: 0, streamExists: false, events: [] });
    // new ids re-create it
    const fresh = await store.appendToStream('code-abc', [ev('Issued')], { expectedVersion: 'no-stream' });
    expect((await store.readStream('code-abc')).events.map((e) => [e.type, e.streamVersion])).toEqual([['Issued', fresh.nextExpectedVersion]]);
    expect((await everything(store)).map((e) => e.type)).toEqual(['Issued']);
  });

  it('hides deleted events from readAll and headPosition, in this and in other instances', async () => {
    const { model, store } = setup({}, { truncationCacheMs: 0 });
    const other = open(model, { truncationCacheMs: 0 });
    await store.appendToStream('keep', [ev('Kept')]);
    const personal = await store.appendToStream('personal', [ev('Personal'), ev('More')]);
    expect(await other.headPosition()).toBe(personal.lastGlobalPosition);
    await store.deleteStream('personal');
    for (const s of [store, other]) {
      expect((await everything(s)).map((e) => e.type)).toEqual(['Kept']);
      expect(await s.headPosition()).toBe((await s.readStream('keep')).events[0]!.globalPosition);
    }
    // the server keeps them in $all until a scavenge, and keeps a deleted stream's last event even then:
    // so the last one is an empty marker
    const kept = model.log.filter((r) => r.streamId === 'personal');
    expect(kept.map((r) => r.type)).toEqual(['Personal', 'More', 'zt.StreamDeleted']);
    expect([kept[2]!.data, kept[2]!.metadata]).toEqual(['{}', '{}']);
    await expect(store.appendToStream('x', [{ id: randomUUID(), type: 'zt.StreamDeleted', data: {} }])).rejects.toBeInstanceOf(InvalidEventError);
  });

  it('waits for a re-created stream to read again, and shows its new events in readAll meanwhile', async () => {
    const { model, store } = setup({ undeleteDelayMs: 40 });
    await store.appendToStream('code-1', [ev('Issued')]);
    await store.deleteStream('code-1');
    const writing = store.appendToStream('code-1', [ev('Reissued')], { expectedVersion: 'no-stream' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    // the new $tb is not written yet: the server reads the stream as deleted, readAll already shows the new event
    expect(model.isSoftDeleted('code-1')).toBe(true);
    const other = open(model);
    expect((await everything(other)).map((e) => e.type)).toEqual(['Reissued']);
    await writing;
    expect(model.isSoftDeleted('code-1')).toBe(false);
    expect((await store.readStream('code-1')).events.map((e) => e.type)).toEqual(['Reissued']);
    expect((await everything(store)).map((e) => e.type)).toEqual(['Reissued']);
  });

  it('stores ids that are not UUIDs under name-based UUIDs and gives the appended ids back', async () => {
    const { model, store } = setup();
    const ids = ['PhoneProvisioned:009033aabbcc', 'F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6'];
    const first = await store.appendToStream('user-1', [ev('A', {}, ids[0]), ev('B', {}, ids[1])]);
    expect(model.log.filter((r) => r.streamId === 'user-1').map((r) => r.id)).not.toContain(ids[0]);
    expect((await store.readStream('user-1')).events.map((e) => [e.id, e.metadata])).toEqual([
      [ids[0], { actor: 'test' }],
      [ids[1], { actor: 'test' }],
    ]);
    expect((await everything(store)).map((e) => e.id)).toEqual(ids);
    const again = await store.appendToStream('user-1', [ev('A', {}, ids[0]), ev('B', {}, ids[1])]);
    expect(again).toEqual(first);
    expect((await store.readStream('user-1')).events).toHaveLength(2);
  });

  it('recognises a re-sent append within its window, refuses partial repeats, and beyond the window plans a re-send like any append', async () => {
    const { store } = setup({}, { idempotencyWindow: 2 });
    const first = ev('First');
    const r1 = await store.appendToStream('job-1', [first], { expectedVersion: 'no-stream' });
    await store.appendToStream('job-1', [ev('Later', { i: 0 })]);
    // within the window (2 + 1 newest events): a repeat, whatever the expected version
    expect(await store.appendToStream('job-1', [first], { expectedVersion: 'no-stream' })).toEqual({ nextExpectedVersion: 2, lastGlobalPosition: r1.lastGlobalPosition });
    await expect(store.appendToStream('job-1', [first, ev('New')])).rejects.toBeInstanceOf(InvalidEventError);
    for (let i = 1; i < 6; i++) await store.appendToStream('job-1', [ev('Later', { i })]);
    // beyond it, the port does not define a re-send: a wrong expected version is a conflict
    await expect(store.appendToStream('job-1', [first], { expectedVersion: 'no-stream' })).rejects.toMatchObject({ actual: 7 });
    // `any`: the server's own de-duplication recognises it, and the adapter answers as for a repeat
    expect((await store.appendToStream('job-1', [first])).nextExpectedVersion).toBe(7);
    expect((await store.readStream('job-1')).currentVersion).toBe(7);
  });

  it('beyond its window, an id re-sent with the current expected version is written again (the port leaves it open)', async () => {
    const { store } = setup({}, { idempotencyWindow: 1 });
    const old = ev('Old');
    await store.appendToStream('k', [old]);
    await store.appendToStream('k', [ev('B')]);
    await store.appendToStream('k', [ev('C')]);
    // memory, SQLite and PostgreSQL would answer "already there"; EventStoreDB checks ids only against the expected revision
    expect((await store.appendToStream('k', [old], { expectedVersion: 3 })).nextExpectedVersion).toBe(4);
    // within the window the adapter itself recognises it
    expect((await store.appendToStream('k', [old], { expectedVersion: 4 })).nextExpectedVersion).toBe(4);
  });

  it('pages past system events without returning early or skipping', async () => {
    const { store } = setup({ statsEvery: 1 });
    for (let i = 0; i < 5; i++) await store.appendToStream('s', [ev('E', { i })]);
    const all = await everything(store);
    expect(all.map((e) => e.data['i'])).toEqual([0, 1, 2, 3, 4]);
    const page = await store.readAll({ after: all[1]!.globalPosition, limit: 1 });
    expect(page.events.map((e) => e.data['i'])).toEqual([2]);
    expect(await store.headPosition()).toBe(all[4]!.globalPosition);
    const end = await store.readAll({ after: all[4]!.globalPosition });
    expect(end).toEqual({ events: [], position: all[4]!.globalPosition, covered: 0 });
  });

  it('resumes readAll inside a multi-event append', async () => {
    const { store } = setup();
    await store.appendToStream('m', [ev('One'), ev('Two'), ev('Three')]);
    const all = await everything(store);
    expect(all.map((e) => e.type)).toEqual(['One', 'Two', 'Three']);
    expect(new Set(all.map((e) => e.globalPosition)).size).toBe(3);
    expect((await store.readAll({ after: all[0]!.globalPosition })).events.map((e) => e.type)).toEqual(['Two', 'Three']);
  });

  it('wakes watchers on appends of other instances', async () => {
    const { model, store } = setup();
    const other = open(model);
    let calls = 0;
    const stop = store.watch(() => calls++);
    await new Promise((resolve) => setImmediate(resolve));
    await other.appendToStream('w', [ev('X')]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toBeGreaterThan(0);
    stop();
  });

  it('refuses bad input before any network call and reports an unreachable server as unavailable', async () => {
    const { model, store } = setup();
    model.down = true;
    await expect(store.appendToStream('', [ev('A')])).rejects.toBeInstanceOf(InvalidEventError);
    await expect(store.appendToStream('s', [ev('A')], { expectedVersion: -1 as never })).rejects.toBeInstanceOf(InvalidEventError);
    await expect(store.appendToStream('s', [{ id: 'x', type: 'A', data: {}, metadata: { 'zt.eventId': 'y' } }])).rejects.toBeInstanceOf(InvalidEventError);
    await expect(store.readAll({ limit: 0 })).rejects.toBeInstanceOf(InvalidEventError);
    await expect(store.appendToStream('s', [ev('A')])).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readStream('s')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.readAll()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(await store.ping()).toBe(false);
    model.down = false;
    expect(await store.ping()).toBe(true);
    await store.close();
    await expect(store.readAll()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('reads $all only from positions it handed out (they are byte offsets with holes)', async () => {
    const { store } = setup();
    const r = await store.appendToStream('p', [ev('A'), ev('B')]);
    const [a, b] = (await store.readStream('p')).events;
    expect(b!.globalPosition).toBe(r.lastGlobalPosition);
    expect(b!.globalPosition - a!.globalPosition).toBeGreaterThan(1);
    await expect(store.readAll({ after: r.lastGlobalPosition - 2 })).rejects.toThrow(/inside a record/);
  });
});

describe('EventStoreDB adapter: personal parts (against a model of the server)', () => {
  const DIGITS = '123456789012';
  const withCode = (code: string): NewEvent => ({ id: randomUUID(), type: 'PhoneCodeRequested', data: { codeHash: 'h' }, personal: { code }, metadata: {} });
  const logText = (model: EsdbModel): string => model.log.map((r) => `${r.streamId} ${r.data} ${r.metadata ?? ''}`).join('\n');

  it('stores the personal part encrypted under a key of its own and reads it back, hiding the key streams', async () => {
    const { model, store } = setup();
    const event = withCode(DIGITS);
    await store.appendToStream('userDevice-h', [event, ev('Plain')]);
    expect(logText(model)).not.toContain(DIGITS);
    const read = await store.readStream('userDevice-h');
    expect(read.events.map((e) => e.personal)).toEqual([{ code: DIGITS }, {}]);
    expect(read.events[0]!.metadata).toEqual({});
    const other = open(model); // another process: no cached key
    expect((await everything(other)).map((e) => [e.streamName, e.personal])).toEqual([
      ['userDevice-h', { code: DIGITS }],
      ['userDevice-h', {}],
    ]);
    await expect(store.appendToStream('zt.key-x', [ev('A')])).rejects.toBeInstanceOf(InvalidEventError);
  });

  it('purges by deleting the keys: every path reads null, in this process and another, and a scavenge leaves no key', async () => {
    const { model, store } = setup();
    const first = withCode(DIGITS);
    const second = withCode('210987654321');
    await store.appendToStream('rollout-r', [first, second]);
    const keyBytes = model.log.filter((r) => r.streamId.startsWith('zt.key-')).map((r) => (JSON.parse(r.data) as { key: string }).key);
    expect(keyBytes).toHaveLength(2);
    await store.purgePersonalData('rollout-r', { eventIds: [first.id] });
    expect((await store.readStream('rollout-r')).events.map((e) => e.personal)).toEqual([{ code: null }, { code: '210987654321' }]);
    await store.purgePersonalData('rollout-r');
    const other = open(model);
    expect((await other.readStream('rollout-r')).events.map((e) => e.personal)).toEqual([{ code: null }, { code: null }]);
    model.scavenge();
    for (const key of keyBytes) expect(logText(model)).not.toContain(key);
    expect((await open(model).readStream('rollout-r')).events.map((e) => [e.id, e.personal])).toEqual([
      [first.id, { code: null }],
      [second.id, { code: null }],
    ]);
  });

  it('an idempotent re-append keeps the key its event was sealed with', async () => {
    const { model, store } = setup();
    const event = withCode(DIGITS);
    await store.appendToStream('userDevice-r', [event], { expectedVersion: 'no-stream' });
    await store.appendToStream('userDevice-r', [event], { expectedVersion: 'no-stream' });
    expect((await open(model).readStream('userDevice-r')).events.map((e) => e.personal)).toEqual([{ code: DIGITS }]);
    expect(model.log.filter((r) => r.streamId.startsWith('zt.key-'))).toHaveLength(1);
  });
});
