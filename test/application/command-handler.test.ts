/**
 * The command handler: decide on the stream, append expecting the version read, retry on
 * conflict; and its cache of folded states, which must never let a stale state decide,
 * also when another process (here: a second connection to the same SQLite file) wrote.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as E from 'fp-ts/Either';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite';
import { cryptoRandom } from '../../src/adapters/system/random';
import { handle, load, type Aggregate } from '../../src/application/command-handler';
import { domainError, type DomainEvent } from '../../src/domain/decider';
import { tempDir } from '../support/temp-dir';

type Event = DomainEvent<'Opened', Record<string, never>> | DomainEvent<'Counted', { by: number }> | DomainEvent<'Closed', Record<string, never>>;
type Command = { type: 'Open' } | { type: 'Count'; by: number } | { type: 'Close' };
interface State {
  readonly status: 'none' | 'open' | 'closed';
  readonly total: number;
}

/** a counter that can be closed: counting a closed one is refused, closing twice changes nothing */
const counter: Aggregate<Command, Event, State> = {
  decider: {
    initialState: { status: 'none', total: 0 },
    decide: (command, state) => {
      switch (command.type) {
        case 'Open':
          return state.status === 'none' ? E.right([{ type: 'Opened', data: {} }]) : E.left(domainError('conflict', 'already open'));
        case 'Count':
          return state.status === 'open' ? E.right([{ type: 'Counted', data: { by: command.by } }]) : E.left(domainError('conflict', `the counter is ${state.status}`));
        case 'Close':
          return state.status === 'closed' ? E.right([]) : E.right([{ type: 'Closed', data: {} }]);
      }
    },
    evolve: (state, event) =>
      event.type === 'Opened' ? { ...state, status: 'open' } : event.type === 'Counted' ? { ...state, total: state.total + event.data.by } : { ...state, status: 'closed' },
  },
  decode: (stored) => E.right(stored as Event),
};

describe('command handler', () => {
  const dir = tempDir('zt-handler-');
  let a: SqliteEventStore;
  let b: SqliteEventStore;
  const options = { random: cryptoRandom, metadata: { actor: 'test' } };

  beforeAll(() => {
    a = SqliteEventStore.open(join(dir.path, 'events.db'));
    b = SqliteEventStore.open(join(dir.path, 'events.db')); // another process on the same file
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    dir.remove();
  });

  it('decides on the stream and appends expecting the version it read', async () => {
    const stream = `counter-${randomUUID()}`;
    expect(E.isRight(await handle(a, stream, counter, { type: 'Open' }, options))).toBe(true);
    const counted = await handle(a, stream, counter, { type: 'Count', by: 2 }, options);
    expect(E.isRight(counted) && counted.right).toMatchObject({ version: 2, state: { status: 'open', total: 2 } });
    expect(await handle(a, stream, counter, { type: 'Open' }, options)).toEqual(E.left(domainError('conflict', 'already open')));
    expect((await a.readStream(stream)).currentVersion).toBe(2);
  });

  it('decides again on fresh state when another process appended since its cached state', async () => {
    const stream = `counter-${randomUUID()}`;
    await handle(a, stream, counter, { type: 'Open' }, options); // a caches version 1
    await handle(b, stream, counter, { type: 'Count', by: 5 }, options); // b appends version 2
    const counted = await handle(a, stream, counter, { type: 'Count', by: 1 }, options);
    expect(E.isRight(counted) && counted.right).toMatchObject({ version: 3, state: { total: 6 } });
    expect((await load(a, stream, counter)).state.total).toBe(6);
  });

  it('never refuses, nor answers a no-op, on a stale cached state', async () => {
    const stream = `counter-${randomUUID()}`;
    await handle(a, stream, counter, { type: 'Open' }, options);
    await handle(a, stream, counter, { type: 'Close' }, options); // a caches "closed"
    // another process cannot reopen a counter, so make the stale state the other way round:
    const other = `counter-${randomUUID()}`;
    await handle(a, other, counter, { type: 'Open' }, options); // a caches "open"
    await handle(b, other, counter, { type: 'Close' }, options); // b closes it
    // a's cache says open: counting would append, the version check catches it
    expect(await handle(a, other, counter, { type: 'Count', by: 1 }, options)).toEqual(E.left(domainError('conflict', 'the counter is closed')));
    // a no-op decided on the cache is confirmed on the stream first
    await handle(b, stream, counter, { type: 'Close' }, options);
    const closeAgain = await handle(a, stream, counter, { type: 'Close' }, options);
    expect(E.isRight(closeAgain) && closeAgain.right.events).toEqual([]);
    expect((await a.readStream(other)).currentVersion).toBe(2);
  });

  it('folds a deleted and re-created stream afresh', async () => {
    const stream = `counter-${randomUUID()}`;
    await handle(a, stream, counter, { type: 'Open' }, options);
    await handle(a, stream, counter, { type: 'Count', by: 7 }, options);
    await b.deleteStream(stream); // a purge by another process
    expect((await load(a, stream, counter)).state).toEqual({ status: 'none', total: 0 });
    await handle(b, stream, counter, { type: 'Open' }, options);
    await handle(b, stream, counter, { type: 'Count', by: 1 }, options);
    expect((await load(a, stream, counter)).state).toEqual({ status: 'open', total: 1 });
    const counted = await handle(a, stream, counter, { type: 'Count', by: 1 }, options);
    expect(E.isRight(counted) && counted.right.state.total).toBe(2);
  });

  it('lets exactly one of many racing commands through when only one may pass', async () => {
    const stream = `counter-${randomUUID()}`;
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => handle(i % 2 ? a : b, stream, counter, { type: 'Open' }, options)));
    expect(outcomes.filter(E.isRight)).toHaveLength(1);
    expect((await a.readStream(stream)).currentVersion).toBe(1);
  });
});
