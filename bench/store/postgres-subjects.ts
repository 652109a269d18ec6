/**
 * The PostgreSQL subjects: zerotouch's store (through the EventStore port), the raw pg
 * driver on the same table (the ceiling), and Emmett's PostgreSQL event store (the peer).
 * Every subject writes through a pool of 10 connections (pg's default, which Emmett keeps).
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { PostgresEventStore } from '../../src/adapters/eventstore/postgres';
import { PostgresReadModelStore } from '../../src/adapters/readmodels/postgres';
import { loadEmmettPostgres, loadPeerPg } from './peers';
import { replayIntoProjection } from './projection';
import { seedThroughPort, sum, type ReplayOutcome } from './sqlite-subjects';
import { benchEvent, EVENT_TYPES, streamOf, type BenchEvent } from './shared';
import type { Appender, Pager } from './workload';

type Progress = (text: string) => void;

const POOL_SIZE = 10;

async function countRows(url: string, table: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}

// ---- zerotouch ------------------------------------------------------------------------

export async function zerotouchPostgresAppender(url: string): Promise<Appender> {
  const store = await PostgresEventStore.open(url, { poolSize: POOL_SIZE });
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
    storedCount: () => countRows(url, 'zt_events'),
    close: () => store.close(),
  };
}

/** readAll pages of 1,000 through a second store instance (as another process would read). */
export async function zerotouchPostgresPager(url: string): Promise<Pager> {
  const store = await PostgresEventStore.open(url, { poolSize: 1, applicationName: 'bench-reader' });
  let after = 0;
  return {
    async next() {
      const page = await store.readAll({ after, limit: 1000 });
      after = page.position;
      return page.events.map((e) => `${e.globalPosition}/${e.id}`);
    },
    close: () => store.close(),
  };
}

export async function zerotouchPostgresReplay(url: string, round: number, progress: Progress): Promise<ReplayOutcome> {
  const store = await PostgresEventStore.open(url, { poolSize: POOL_SIZE });
  try {
    const readModels = await PostgresReadModelStore.open(store.pool);
    const { ms, counts } = await replayIntoProjection(store, readModels, `bench_counts_${round}`, progress);
    await readModels.close();
    return { events: sum(counts), ms, capped: false, counts, notes: [] };
  } finally {
    await store.close();
  }
}

export async function seedZerotouchPostgres(url: string, events: number, progress: Progress): Promise<void> {
  const store = await PostgresEventStore.open(url, { poolSize: POOL_SIZE });
  try {
    await seedThroughPort((stream, batch) => store.appendToStream(stream, batch, { expectedVersion: 'no-stream' }), events, progress);
  } finally {
    await store.close();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('VACUUM ANALYZE zt_events');
  await client.end();
}

// ---- raw pg -----------------------------------------------------------------------------

const RAW_COLUMNS = 'stream_name, stream_version, event_id, type, data, metadata, recorded_at';

/**
 * The ceiling: the same rows into the same table (created by the zerotouch store), with
 * nothing else: single appends are one INSERT each (its own transaction), batches one
 * INSERT of 100 rows from unnest(). No version read, no lock, no order guarantee: the
 * gap check shows what a reader paging by position sees without one.
 */
export async function rawPostgresAppender(url: string): Promise<Appender> {
  await (await PostgresEventStore.open(url, { poolSize: 1 })).close(); // the tables
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  pool.on('error', () => {});
  const insertOne = `INSERT INTO zt_events (${RAW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, now())`;
  const insertMany = `INSERT INTO zt_events (${RAW_COLUMNS})
    SELECT s, v, i, t, d, m, now() FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[]) AS x(s, v, i, t, d, m)`;
  return {
    async appendOne(stream, expectedVersion, e) {
      await pool.query({ name: 'raw_one', text: insertOne, values: [stream, expectedVersion + 1, e.id, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata)] });
    },
    async appendBatch(stream, events) {
      await pool.query({
        name: 'raw_many',
        text: insertMany,
        values: [
          events.map(() => stream),
          events.map((_, i) => i + 1),
          events.map((e) => e.id),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata)),
        ],
      });
    },
    async streamVersion(stream) {
      const { rows } = await pool.query<{ v: string | null }>('SELECT max(stream_version) AS v FROM zt_events WHERE stream_name = $1', [stream]);
      return Number(rows[0]?.v ?? 0);
    },
    storedCount: () => countRows(url, 'zt_events'),
    close: () => pool.end(),
  };
}

export async function rawPostgresPager(url: string): Promise<Pager> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-reader' });
  await client.connect();
  let after = '0';
  return {
    async next() {
      const { rows } = await client.query<{ global_position: string; event_id: string }>({
        name: 'page',
        text: 'SELECT global_position, event_id FROM zt_events WHERE global_position > $1 ORDER BY global_position LIMIT 1000',
        values: [after],
      });
      if (rows.length > 0) after = rows[rows.length - 1]!.global_position;
      return rows.map((r) => `${r.global_position}/${r.event_id}`);
    },
    close: () => client.end(),
  };
}

/** The ceiling of a replay: keyset pages of 10,000 rows of the same columns; pg parses the JSON. */
export async function rawPostgresScan(url: string, capMs: number, progress: Progress): Promise<ReplayOutcome> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    let events = 0;
    let capped = false;
    let after = '0';
    const started = performance.now();
    let lastSaid = started;
    for (;;) {
      const { rows } = await client.query<{ global_position: string; type: string; data: object; metadata: object }>({
        name: 'scan',
        text: `SELECT global_position, stream_name, stream_version, event_id, type, data, metadata, recorded_at::text
                 FROM zt_events WHERE global_position > $1 ORDER BY global_position LIMIT 10000`,
        values: [after],
      });
      if (rows.length === 0) break;
      for (const row of rows) counts[row.type] = (counts[row.type] ?? 0) + 1;
      events += rows.length;
      after = rows[rows.length - 1]!.global_position;
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
    return { events, ms: performance.now() - started, capped, counts, notes: [] };
  } finally {
    await client.end();
  }
}

// ---- Emmett PostgreSQL --------------------------------------------------------------------

const toEmmett = (e: BenchEvent) => ({ type: e.type, data: { ...e.data }, metadata: { ...e.metadata } });

export async function emmettPostgresAppender(url: string): Promise<Appender> {
  const { emmett } = loadEmmettPostgres();
  const store = emmett.getPostgreSQLEventStore(url);
  await store.schema.migrate();
  return {
    async appendOne(stream, expectedVersion, event) {
      await store.appendToStream(stream, [toEmmett(event)], { expectedStreamVersion: BigInt(expectedVersion) });
    },
    async appendBatch(stream, events) {
      await store.appendToStream(stream, events.map(toEmmett), { expectedStreamVersion: 0n });
    },
    async streamVersion(stream) {
      return Number((await store.readStream(stream)).currentStreamVersion);
    },
    storedCount: () => countRows(url, 'emt_messages'),
    close: () => store.close(),
  };
}

/** Emmett's own batch read (what its consumers page with), on a pool of its own. */
export async function emmettPostgresPager(url: string): Promise<Pager> {
  const { emmett, dumbo } = loadEmmettPostgres();
  // dumbo keeps one pool per connection string: a different one keeps the reader off the writers' pool
  const readerUrl = new URL(url);
  readerUrl.searchParams.set('application_name', 'bench-reader');
  const pool = dumbo.dumbo({ connectionString: readerUrl.toString() });
  let after = 0n;
  return {
    async next() {
      const page = await emmett.readMessagesBatch(pool.execute, { after, batchSize: 1000 });
      after = page.currentGlobalPosition;
      return page.messages.map((m) => `${m.metadata.globalPosition}/${m.metadata.messageId}`);
    },
    close: () => pool.close(),
  };
}

/**
 * Emmett's table, seeded like zerotouch's: stream 0 through Emmett's own append (which
 * creates the schema and shows the row format), the rest as the same rows generated by the
 * server in transactions of 100,000, each row with its transaction id as Emmett writes it.
 */
export async function seedEmmettPostgres(url: string, events: number, progress: Progress): Promise<void> {
  const { emmett } = loadEmmettPostgres();
  const store = emmett.getPostgreSQLEventStore(url);
  const perStream = 100;
  await store.appendToStream(streamOf(0), Array.from({ length: Math.min(perStream, events) }, (_, seq) => toEmmett(benchEvent(0, seq))), {
    expectedStreamVersion: 0n,
  });
  await store.close();
  const Pg = loadPeerPg();
  const client = new Pg.Client({ connectionString: url });
  await client.connect();
  try {
    const t = (await client.query('SELECT partition, message_kind, message_schema_version FROM emt_messages LIMIT 1')).rows[0] as {
      partition: string;
      message_kind: string;
      message_schema_version: string;
    };
    const st = (await client.query('SELECT partition, stream_type FROM emt_streams LIMIT 1')).rows[0] as { partition: string; stream_type: string };
    const streams = Math.ceil(events / perStream);
    const types = `ARRAY[${EVENT_TYPES.map((x) => `'${x}'`).join(', ')}]`;
    for (let from = 1; from < streams; from += 1000) {
      const to = Math.min(streams, from + 1000) - 1;
      const lastStreamEvents = Math.min(perStream, events - to * perStream);
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO emt_messages (stream_id, stream_position, partition, message_kind, message_data, message_metadata,
           message_schema_version, message_type, message_id, is_archived, transaction_id)
         SELECT 'phone-' || w, s + 1, $1, $2,
                jsonb_build_object('mac', m, 'installation', 'inst-' || (w % 97), 'product', 'IP112',
                  'firmware', '13r3 sr12 [135123]', 'address', '192.0.2.17', 'seq', s, 'at', '2026-05-04T10:11:12.345Z'),
                jsonb_build_object('correlationId', 'req-' || lpad(to_hex(s), 12, '0'), 'actor', 'phone:' || m,
                  'messageId', id, 'streamName', 'phone-' || w, 'streamPosition', (s + 1)::text),
                $3, (${types})[s % 4 + 1], id, false, pg_current_xact_id()
           FROM generate_series($4::int, $5::int) AS w,
                LATERAL (SELECT '009033' || lpad(to_hex(w), 6, '0') AS m) AS mac,
                LATERAL generate_series(0, CASE WHEN w = $5 THEN $6::int ELSE 100 END - 1) AS s,
                LATERAL (SELECT lpad(to_hex(w), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(s), 12, '0') AS id) AS ids
          ORDER BY w, s`,
        [t.partition, t.message_kind, t.message_schema_version, from, to, lastStreamEvents],
      );
      await client.query(
        `INSERT INTO emt_streams (stream_id, stream_position, partition, stream_type, stream_metadata, is_archived)
         SELECT 'phone-' || w, CASE WHEN w = $2 THEN $3::int ELSE 100 END, $4, $5, '[]'::jsonb, false
           FROM generate_series($1::int, $2::int) AS w`,
        [from, to, lastStreamEvents, st.partition, st.stream_type],
      );
      await client.query('COMMIT');
      progress(`seeded ${((to + 1) * perStream).toLocaleString('en-US')} of ${events.toLocaleString('en-US')}`);
    }
    await client.query('VACUUM ANALYZE emt_messages');
  } finally {
    await client.end();
  }
}

/**
 * Emmett's way of reading all events into a projection: a consumer with a reactor that
 * counts per type, from the beginning, in 500-message batches without a pause between full
 * batches, stopping when no messages are left. The reactor stores its checkpoint per batch.
 */
export async function emmettPostgresReplay(url: string, capMs: number, progress: Progress): Promise<ReplayOutcome> {
  const { emmett } = loadEmmettPostgres();
  const store = emmett.getPostgreSQLEventStore(url);
  const consumer = store.consumer({ stopWhen: { noMessagesLeft: true }, pulling: { batchSize: 500, pullingFrequencyInMs: 0 } });
  const counts: Record<string, number> = {};
  let events = 0;
  let capped = false;
  const started = performance.now();
  let lastSaid = started;
  consumer.reactor({
    processorId: 'bench-counts',
    startFrom: 'BEGINNING',
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
  await store.close();
  return { events, ms, capped, counts, notes: [] };
}
