/**
 * The work every subject does the same way: concurrent single-event writers, sequential
 * batch appends, and (PostgreSQL) a reader paging the global order while the writers run.
 */
import { performance } from 'node:perf_hooks';
import { benchEvent, errorKey, streamOf, type BenchEvent, type GapCheck } from './shared';

/** One subject's way of appending, seen the same from every workload. */
export interface Appender {
  /** append one event to `stream`, expecting the stream at `expectedVersion` (0: new) */
  appendOne(stream: string, expectedVersion: number, event: BenchEvent): Promise<void>;
  /** append `events` to a new stream */
  appendBatch(stream: string, events: readonly BenchEvent[]): Promise<void>;
  /** the stream's version as stored (to go on after a failed append) */
  streamVersion(stream: string): Promise<number>;
  /** events stored in all */
  storedCount(): Promise<number>;
  close(): Promise<void>;
}

/** Pages through the store's global order, the way a subscriber would. */
export interface Pager {
  /** the next page after the pager's position: one key per event (`position/id`); empty at the end */
  next(): Promise<string[]>;
  close(): Promise<void>;
}

export interface WorkloadOutcome {
  acknowledged: number;
  ms: number;
  capped: boolean;
  failures: Record<string, number>;
  /** appends that had not answered when the run gave up waiting */
  unanswered: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Progress = (text: string) => void;

function ticker(progress: Progress, label: string, count: () => number, started: number): () => void {
  const timer = setInterval(() => {
    const s = (performance.now() - started) / 1000;
    progress(`${label}: ${count().toLocaleString('en-US')} events in ${s.toFixed(1)} s`);
  }, 2000);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * `writers` concurrent writers, each appending single events to its own stream with the
 * expected version it knows, until `total` events were claimed or `capMs` passed. A
 * failed append is counted by its message; the writer then reads its stream's version
 * and goes on.
 */
export async function runWriters(
  appender: Appender,
  options: { writers: number; total: number; capMs: number; progress: Progress },
): Promise<WorkloadOutcome> {
  let claimed = 0;
  let acknowledged = 0;
  let inFlight = 0;
  const failures: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + options.capMs;
  let capped = false;
  const stop = ticker(options.progress, `${options.writers} writers`, () => acknowledged, started);
  const writer = async (w: number): Promise<void> => {
    const stream = streamOf(w);
    let version = 0;
    let seq = 0;
    while (claimed < options.total) {
      if (performance.now() >= deadline) {
        capped = true;
        return;
      }
      claimed++;
      inFlight++;
      try {
        await appender.appendOne(stream, version, benchEvent(w, seq));
        version++;
        acknowledged++;
      } catch (error) {
        const key = errorKey(error);
        failures[key] = (failures[key] ?? 0) + 1;
        try {
          version = await appender.streamVersion(stream);
        } catch {
          // the peer could not tell either: keep the version and try again
        }
      } finally {
        inFlight--;
      }
      seq++;
    }
  };
  const all = Promise.all(Array.from({ length: options.writers }, (_, w) => writer(w)));
  // a store that never answers an append must not hang the benchmark
  const gaveUp = await Promise.race([all.then(() => false), sleep(options.capMs + 30_000).then(() => true)]);
  const ms = performance.now() - started;
  stop();
  return { acknowledged, ms, capped: capped || gaveUp, failures, unanswered: gaveUp ? inFlight : 0 };
}

/** One writer appending `batchSize`-event batches, each to a new stream, until `total` events or `capMs`. */
export async function runBatches(
  appender: Appender,
  options: { batchSize: number; total: number; capMs: number; progress: Progress },
): Promise<WorkloadOutcome> {
  let acknowledged = 0;
  const failures: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + options.capMs;
  let capped = false;
  const stop = ticker(options.progress, `${options.batchSize}-event batches`, () => acknowledged, started);
  const batches = Math.ceil(options.total / options.batchSize);
  for (let b = 0; b < batches; b++) {
    if (performance.now() >= deadline) {
      capped = true;
      break;
    }
    const writer = 1_000_000 + b;
    const events = Array.from({ length: options.batchSize }, (_, seq) => benchEvent(writer, seq));
    try {
      await appender.appendBatch(streamOf(writer), events);
      acknowledged += events.length;
    } catch (error) {
      const key = errorKey(error);
      failures[key] = (failures[key] ?? 0) + 1;
    }
  }
  const ms = performance.now() - started;
  stop();
  return { acknowledged, ms, capped, failures, unanswered: 0 };
}

/**
 * Runs `work` while a reader pages the global order; afterwards the reader reads on to
 * the end, and what it collected is compared with a final full read by a new pager.
 */
export async function withGapReader<T>(
  makePager: () => Promise<Pager>,
  storedCount: () => Promise<number>,
  work: () => Promise<T>,
): Promise<{ result: T; gap: GapCheck; stored: number }> {
  const reader = await makePager();
  const collected: string[] = [];
  const distinct = new Set<string>();
  const take = (keys: readonly string[]): void => {
    for (const k of keys) {
      collected.push(k);
      distinct.add(k);
    }
  };
  let writing = true;
  const readLoop = (async () => {
    while (writing) {
      const keys = await reader.next();
      take(keys);
      if (keys.length === 0) await sleep(2);
    }
  })();
  let result: T;
  try {
    result = await work();
  } finally {
    writing = false;
    await readLoop;
  }
  const stored = await storedCount();
  // read on to the end; a store that makes events visible late gets up to 10 s
  const drainUntil = performance.now() + 10_000;
  for (;;) {
    const keys = await reader.next();
    take(keys);
    if (keys.length === 0) {
      if (distinct.size >= stored || performance.now() > drainUntil) break;
      await sleep(20);
    }
  }
  await reader.close();
  const finalPager = await makePager();
  const final: string[] = [];
  for (;;) {
    const keys = await finalPager.next();
    if (keys.length === 0) break;
    for (const k of keys) final.push(k);
  }
  await finalPager.close();
  const seen = new Set<string>();
  let extra = 0;
  const finalSet = new Set(final);
  for (const k of collected) {
    if (seen.has(k) || !finalSet.has(k)) extra++;
    seen.add(k);
  }
  let skipped = 0;
  for (const k of final) if (!seen.has(k)) skipped++;
  const equal = collected.length === final.length && collected.every((k, i) => k === final[i]);
  return { result: result!, gap: { collected: collected.length, final: final.length, skipped, extra, equal }, stored };
}
