/**
 * The SQLite subjects: zerotouch's store (through the EventStore port), the raw
 * better-sqlite3 driver on the same file settings and tables (the ceiling), and Emmett's
 * SQLite event store (the peer).
 */
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openSqliteDatabase, SqliteEventStore } from '../../src/adapters/eventstore/sqlite';
import { SqliteReadModelStore } from '../../src/adapters/readmodels/sqlite';
import { loadEmmettSqlite, type EmmettSqliteEventStore } from './peers';
import { replayIntoProjection } from './projection';
import { benchEvent, EVENT_TYPES, streamOf, type BenchEvent } from './shared';
import type { Appender } from './workload';

type Progress = (text: string) => void;

export interface ReplayOutcome {
  events: number;
  ms: number;
  capped: boolean;
  counts: Record<string, number>;
  notes: string[];
}

const count = (file: string, table: string): number => {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

// ---- zerotouch ------------------------------------------------------------------------

export function zerotouchSqliteAppender(file: string): Appender {
  const store = SqliteEventStore.open(file);
  return {
    async appendOne(stream, expectedVersion, event) {
      await store.appendToStream(stream, [event], { expectedVersion });
    },
    async appendBatch(stream, events) {
      await store.appendToStream(stream, events, { expectedVersion: 'no-stream' });
    },
    async streamVersion(stream) {
      return (await store.readStream(stream, { from: Number.MAX_SAFE_INTEGER })).currentVersion;
    },
    async storedCount() {
      return count(file, 'zt_events');
    },
    close: () => store.close(),
  };
}

export async function zerotouchSqliteReplay(file: string, round: number, progress: Progress): Promise<ReplayOutcome> {
  const store = SqliteEventStore.open(file);
  try {
    const readModels = new SqliteReadModelStore(store.db);
    const { ms, counts } = await replayIntoProjection(store, readModels, `bench_counts_${round}`, progress);
    return { events: sum(counts), ms, capped: false, counts, notes: [] };
  } finally {
    await store.close();
  }
}

/** 1M events through the store: 100-event appends to 10,000 streams, 64 in flight (group commit). */
export async function seedZerotouchSqlite(file: string, events: number, progress: Progress): Promise<void> {
  const store = SqliteEventStore.open(file);
  try {
    await seedThroughPort((stream, batch) => store.appendToStream(stream, batch, { expectedVersion: 'no-stream' }), events, progress);
  } finally {
    await store.close();
  }
}

export async function seedThroughPort(append: (stream: string, events: BenchEvent[]) => Promise<unknown>, events: number, progress: Progress): Promise<void> {
  const perStream = 100;
  const streams = Math.ceil(events / perStream);
  let next = 0;
  let done = 0;
  let lastSaid = performance.now();
  const worker = async (): Promise<void> => {
    while (next < streams) {
      const w = next++;
      const n = Math.min(perStream, events - w * perStream);
      await append(streamOf(w), Array.from({ length: n }, (_, seq) => benchEvent(w, seq)));
      done += n;
      if (performance.now() - lastSaid > 2000) {
        lastSaid = performance.now();
        progress(`seeded ${done.toLocaleString('en-US')} of ${events.toLocaleString('en-US')}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

// ---- raw better-sqlite3 ---------------------------------------------------------------

/**
 * The ceiling: the same rows into the same table (created by the zerotouch store, same
 * pragmas), with nothing else: no version read, no idempotency check, no stream row.
 * Single appends: one `BEGIN IMMEDIATE` transaction with one INSERT; batches: one
 * transaction with 100 INSERTs. The driver is synchronous, so "concurrent" writers take
 * turns; they show the cost of one transaction per event.
 */
export function rawSqliteAppender(file: string): Appender {
  const db = openSqliteDatabase(file);
  // creates the tables and checkpoints the WAL from a worker thread, as for the store; nothing else happens through it
  const tables = new SqliteEventStore(db);
  const insert = db.prepare<[string, number, string, string, string, string, string]>(
    'INSERT INTO zt_events (stream_name, stream_version, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertOne = db.transaction((stream: string, version: number, e: BenchEvent, at: string) => {
    insert.run(stream, version, e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), at);
  });
  const insertMany = db.transaction((stream: string, events: readonly BenchEvent[], at: string) => {
    events.forEach((e, i) => insert.run(stream, i + 1, e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata), at));
  });
  const version = db.prepare<[string], { v: number | null }>('SELECT MAX(stream_version) AS v FROM zt_events WHERE stream_name = ?');
  return {
    async appendOne(stream, expectedVersion, event) {
      insertOne.immediate(stream, expectedVersion + 1, event, new Date().toISOString());
    },
    async appendBatch(stream, events) {
      insertMany.immediate(stream, events, new Date().toISOString());
    },
    async streamVersion(stream) {
      return version.get(stream)?.v ?? 0;
    },
    async storedCount() {
      return (db.prepare('SELECT COUNT(*) AS n FROM zt_events').get() as { n: number }).n;
    },
    async close() {
      await tables.close(); // and the database
    },
  };
}

/**
 * What group commit can reach at best: the same rows, but the appends that arrive in one
 * turn of the event loop are written together in one transaction (as zerotouch's store
 * does), still without any check. Not asked for by the issue; it shows how much of the
 * single-append cost is the data itself (every writer's stream touches its own index pages).
 */
export function rawSqliteGroupedAppender(file: string): Appender {
  const db = openSqliteDatabase(file);
  const tables = new SqliteEventStore(db); // the tables, and the WAL checkpoints of the store
  const insert = db.prepare<[string, number, string, string, string, string, string]>(
    'INSERT INTO zt_events (stream_name, stream_version, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  type Row = { stream: string; version: number; event: BenchEvent; resolve: () => void; reject: (e: unknown) => void };
  let queue: Row[] = [];
  const write = db.transaction((rows: readonly Row[], at: string) => {
    for (const r of rows) insert.run(r.stream, r.version, r.event.id, r.event.type, JSON.stringify(r.event.data), JSON.stringify(r.event.metadata), at);
  });
  const flush = (): void => {
    const rows = queue;
    queue = [];
    try {
      write.immediate(rows, new Date().toISOString());
      for (const r of rows) r.resolve();
    } catch (error) {
      for (const r of rows) r.reject(error);
    }
  };
  const version = db.prepare<[string], { v: number | null }>('SELECT MAX(stream_version) AS v FROM zt_events WHERE stream_name = ?');
  return {
    appendOne(stream, expectedVersion, event) {
      return new Promise((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ stream, version: expectedVersion + 1, event, resolve, reject });
      });
    },
    async appendBatch() {
      throw new Error('not measured');
    },
    async streamVersion(stream) {
      return version.get(stream)?.v ?? 0;
    },
    async storedCount() {
      return (db.prepare('SELECT COUNT(*) AS n FROM zt_events').get() as { n: number }).n;
    },
    async close() {
      await tables.close(); // and the database
    },
  };
}

/**
 * The ceiling of a replay: the driver's fastest read of the table in order. Keyset pages
 * of 1,000 rows through `stmt.raw().all()` (rows as arrays: no object per row), then
 * `JSON.parse` of data and metadata. Measured against the alternatives on 300,000 events
 * on 2026-12-06 (one process each, three times, median): `.iterate()` of row objects
 * 133,000 events/s, one `.raw().all()` of the whole table 141,000 (and 370 MB: every row at
 * once), `.raw().iterate()` 245,000, pages of 10,000 233,000, pages of 1,000 274,000.
 */
export async function rawSqliteScan(file: string, capMs: number, progress: Progress): Promise<ReplayOutcome> {
  const db = openSqliteDatabase(file);
  try {
    const counts: Record<string, number> = {};
    let events = 0;
    let capped = false;
    let unparsed = 0;
    const started = performance.now();
    let lastSaid = started;
    type Row = [global_position: number, stream_name: string, stream_version: number, event_id: string, type: string, data: string, metadata: string, recorded_at: string];
    const page = db
      .prepare<[number]>(
        'SELECT global_position, stream_name, stream_version, event_id, type, data, metadata, recorded_at FROM zt_events WHERE global_position > ? ORDER BY global_position LIMIT 1000',
      )
      .raw();
    let after = 0;
    for (;;) {
      const rows = page.all(after) as Row[];
      if (rows.length === 0) break;
      for (const row of rows) {
        const data = JSON.parse(row[5]) as Record<string, unknown>;
        const metadata = JSON.parse(row[6]) as Record<string, unknown>;
        if (data === null || metadata === null) unparsed++;
        counts[row[4]] = (counts[row[4]] ?? 0) + 1;
      }
      events += rows.length;
      after = rows[rows.length - 1]![0];
      if ((events & 0x3fff) < 1000) {
        const now = performance.now();
        if (now - started > capMs) {
          capped = true;
          break;
        }
        if (now - lastSaid > 2000) {
          lastSaid = now;
          progress(`scan: ${events.toLocaleString('en-US')} rows in ${((now - started) / 1000).toFixed(1)} s`);
        }
      }
    }
    const ms = performance.now() - started;
    return { events, ms, capped, counts, notes: unparsed === 0 ? [] : [`${unparsed} rows without data`] };
  } finally {
    db.close();
  }
}

// ---- Emmett SQLite ----------------------------------------------------------------------

const toEmmett = (e: BenchEvent) => ({ type: e.type, data: { ...e.data }, metadata: { ...e.metadata } });

/**
 * One Emmett store per writer, as its documentation sets one up (`getSQLiteEventStore`
 * for a file, then `appendToStream` on it): a store keeps one sqlite3 connection and its
 * transaction state for the calls made on it, so concurrent writers sharing one store
 * step on each other's connection. Each writer appends to a stream of its own, so the
 * store is chosen by stream; the 100-event batches (one writer) use one store.
 */
export function emmettSqliteAppender(file: string): Appender {
  const stores = new Map<string, EmmettSqliteEventStore>();
  const storeOf = (stream: string) => {
    let store = stores.get(stream);
    if (!store) {
      store = loadEmmettSqlite().getSQLiteEventStore({ fileName: file });
      stores.set(stream, store);
    }
    return store;
  };
  const batches = loadEmmettSqlite().getSQLiteEventStore({ fileName: file });
  return {
    async appendOne(stream, expectedVersion, event) {
      await storeOf(stream).appendToStream(stream, [toEmmett(event)], { expectedStreamVersion: BigInt(expectedVersion) });
    },
    async appendBatch(stream, events) {
      await batches.appendToStream(stream, events.map(toEmmett), { expectedStreamVersion: 0n });
    },
    async streamVersion(stream) {
      return Number((await storeOf(stream).readStream(stream)).currentStreamVersion);
    },
    async storedCount() {
      try {
        return count(file, 'emt_messages');
      } catch {
        return 0; // no table: nothing was stored
      }
    },
    // each store opens and closes its connection per operation
    async close() {},
  };
}

/**
 * Emmett's table, seeded like zerotouch's: stream 0 through Emmett's own append (which
 * creates the schema and shows the row format), the rest as the same rows written
 * straight into its tables with better-sqlite3, in 50,000-row transactions.
 */
export async function seedEmmettSqlite(file: string, events: number, progress: Progress): Promise<void> {
  const store = loadEmmettSqlite().getSQLiteEventStore({ fileName: file });
  const perStream = 100;
  await store.appendToStream(streamOf(0), Array.from({ length: Math.min(perStream, events) }, (_, seq) => toEmmett(benchEvent(0, seq))), {
    expectedStreamVersion: 0n,
  });
  const db = openSqliteDatabase(file);
  try {
    const template = db
      .prepare('SELECT partition, message_kind, message_schema_version FROM emt_messages ORDER BY global_position LIMIT 1')
      .get() as { partition: string; message_kind: string; message_schema_version: string };
    const streamTemplate = db.prepare('SELECT partition, stream_type FROM emt_streams LIMIT 1').get() as { partition: string; stream_type: string };
    const insertMessage = db.prepare(
      `INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, message_data, message_metadata,
         message_schema_version, message_type, message_id, is_archived) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    const insertStream = db.prepare(
      `INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata, is_archived) VALUES (?, ?, ?, ?, '[]', 0)`,
    );
    const streams = Math.ceil(events / perStream);
    const writeStreams = db.transaction((from: number, to: number) => {
      for (let w = from; w < to; w++) {
        const n = Math.min(perStream, events - w * perStream);
        const stream = streamOf(w);
        for (let seq = 0; seq < n; seq++) {
          const e = benchEvent(w, seq);
          const metadata = { streamName: stream, messageId: e.id, streamPosition: String(seq + 1), ...e.metadata };
          insertMessage.run(stream, seq + 1, template.partition, template.message_kind, JSON.stringify(e.data), JSON.stringify(metadata), template.message_schema_version, e.type, e.id);
        }
        insertStream.run(stream, n, streamTemplate.partition, streamTemplate.stream_type);
      }
    });
    for (let w = 1; w < streams; w += 500) {
      writeStreams(w, Math.min(streams, w + 500));
      progress(`seeded ${(Math.min(streams, w + 500) * perStream).toLocaleString('en-US')} of ${events.toLocaleString('en-US')}`);
    }
  } finally {
    db.close();
  }
}

/**
 * Emmett's way of reading all events into a projection: a consumer with a processor that
 * counts per type, from the beginning, in 500-message batches without a pause between
 * full batches (its defaults, 100 and 50 ms, would mostly measure the pause), stopping
 * after the last event. The processor stores its checkpoint as it goes, as Emmett does.
 */
export async function emmettSqliteReplay(file: string, capMs: number, progress: Progress): Promise<ReplayOutcome> {
  const db = new Database(file, { readonly: true });
  const last = (db.prepare('SELECT MAX(global_position) AS p FROM emt_messages').get() as { p: number }).p;
  db.close();
  const store = loadEmmettSqlite().getSQLiteEventStore({ fileName: file });
  const consumer = store.consumer({ pulling: { batchSize: 500, pullingFrequencyInMs: 0 } });
  const counts: Record<string, number> = {};
  let events = 0;
  let capped = false;
  const started = performance.now();
  let lastSaid = started;
  consumer.processor({
    processorId: 'bench-counts',
    startFrom: 'BEGINNING',
    stopAfter: (m) => Number(m.metadata.globalPosition) >= last,
    eachMessage: (m) => {
      counts[m.type] = (counts[m.type] ?? 0) + 1;
      events++;
      if ((events & 0xfff) === 0) {
        const now = performance.now();
        if (now - started > capMs) {
          capped = true;
          return { type: 'STOP', reason: 'time cap' };
        }
        if (now - lastSaid > 2000) {
          lastSaid = now;
          progress(`replay: ${events.toLocaleString('en-US')} events in ${((now - started) / 1000).toFixed(1)} s`);
        }
      }
      return undefined;
    },
  });
  await consumer.start();
  const ms = performance.now() - started;
  await consumer.close();
  return { events, ms, capped, counts, notes: [] };
}

export const sum = (counts: Record<string, number>): number => EVENT_TYPES.reduce((n, t) => n + (counts[t] ?? 0), 0);
