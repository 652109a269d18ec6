/**
 * What a server and its projection thread (projection-thread.ts, projection-worker.ts) tell
 * each other: the questions asked rarely (status, a rebuild) as messages; the frequent ones
 * (the server appended; how far each projection is; a step of the reader ended) through a
 * shared buffer, without a message or a copy each time.
 */

export interface WorkerData {
  readonly files: { readonly events: string; readonly readModels: string };
  /** SharedProgress's buffer */
  readonly shared: SharedArrayBuffer;
  /** the projections the server's parts bring, with the versions it knows */
  readonly projections: ReadonlyArray<{ readonly name: string; readonly version: number }>;
}

/** an error as it crosses the thread boundary */
export interface ThreadError {
  readonly message: string;
  readonly stack?: string;
}

export type ThreadRequest =
  | { readonly t: 'stop' }
  | { readonly t: 'status'; readonly id: number }
  | { readonly t: 'rebuild'; readonly id: number; readonly name: string };

export type ThreadReply =
  | { readonly t: 'ready' }
  | { readonly t: 'failed'; readonly error: ThreadError }
  | { readonly t: 'stopped' }
  | { readonly t: 'answer'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly t: 'answer'; readonly id: number; readonly ok: false; readonly error: ThreadError }
  | { readonly t: 'progress'; readonly id: number; readonly position: number; readonly head: number }
  | { readonly t: 'log'; readonly level: 'info' | 'warn'; readonly obj: object; readonly msg: string };

export function errorOf(error: unknown): ThreadError {
  if (error instanceof Error) return { message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { message: String(error) };
}

/** the counters (Int32) before the positions */
const APPENDED = 0;
const STEP_STARTED = 1;
const STEP_ENDED = 2;
const IDLE_STEP = 3;
/** 1 while the thread waits for an append (the server notifies only then) */
const WAITING = 4;
/** five used; six keeps the positions after them 8-byte aligned */
const COUNTERS = 6;

/** Atomics.waitAsync (in Node since 16; in TypeScript's lib from ES2024, newer than ours) */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

/** step numbers are Int32 and wrap around (after years): `a` came after `b` */
export const later = (a: number, b: number): boolean => ((a - b) | 0) > 0;

/**
 * The buffer both threads share: how many times the server appended (the thread waits on
 * it), the number of the reader's last step started and ended and of its last idle one
 * (the server waits on the end), and each projection's position, in the order of
 * WorkerData.projections. A thread started again goes on from the numbers it finds.
 */
export class SharedProgress {
  private readonly counters: Int32Array;
  private readonly positions: BigInt64Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.counters = new Int32Array(buffer, 0, COUNTERS);
    this.positions = new BigInt64Array(buffer, COUNTERS * 4, (buffer.byteLength - COUNTERS * 4) / 8);
  }

  static create(projections: number): SharedProgress {
    return new SharedProgress(new SharedArrayBuffer(COUNTERS * 4 + projections * 8));
  }

  // the server's side

  appended(): void {
    Atomics.add(this.counters, APPENDED, 1);
    // a notify costs a lock and a task for the thread: only when it waits (it re-arms once a step began)
    if (Atomics.load(this.counters, WAITING) === 1) Atomics.notify(this.counters, APPENDED);
  }

  position(index: number): number {
    return Number(Atomics.load(this.positions, index));
  }

  /** the number of the last step started (a thread started again goes on from it) */
  stepStarted(): number {
    return Atomics.load(this.counters, STEP_STARTED);
  }

  idleStep(): number {
    return Atomics.load(this.counters, IDLE_STEP);
  }

  /** resolves when a step ends after `seen` steps ended (or after `timeoutMs`) */
  async stepEndedAfter(seen: number, timeoutMs: number): Promise<number> {
    const wait = waitAsync(this.counters, STEP_ENDED, seen, timeoutMs);
    if (wait.async) await wait.value;
    return Atomics.load(this.counters, STEP_ENDED);
  }

  stepsEnded(): number {
    return Atomics.load(this.counters, STEP_ENDED);
  }

  // the thread's side

  started(step: number): void {
    Atomics.store(this.counters, STEP_STARTED, step | 0);
  }

  ended(step: number, idle: boolean, positions: readonly number[]): void {
    positions.forEach((p, i) => Atomics.store(this.positions, i, BigInt(p)));
    if (idle) Atomics.store(this.counters, IDLE_STEP, step | 0);
    Atomics.store(this.counters, STEP_ENDED, step | 0);
    Atomics.notify(this.counters, STEP_ENDED);
  }

  appends(): number {
    return Atomics.load(this.counters, APPENDED);
  }

  /** resolves when the server appended after `seen` appends (or after `timeoutMs`) */
  async appendedAfter(seen: number, timeoutMs: number): Promise<number> {
    // set before the wait compares: an append after it either changed the value or sees the flag
    Atomics.store(this.counters, WAITING, 1);
    try {
      const wait = waitAsync(this.counters, APPENDED, seen, timeoutMs);
      if (wait.async) await wait.value;
    } finally {
      Atomics.store(this.counters, WAITING, 0);
    }
    return Atomics.load(this.counters, APPENDED);
  }
}
