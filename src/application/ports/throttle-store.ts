/**
 * Where the guess throttle keeps its token buckets (src/domain/throttle.ts): in this
 * process's memory, or in a table of a shared store so that a guesser's attempts count on
 * every node. A bucket is taken from atomically: the refill since its last use and the
 * token taken are one step, whichever node takes.
 */
import { isIdle, recordWrongGuess, type Bucket, type ThrottlePolicy } from '../../domain/throttle';

export interface ThrottleStore {
  /** the buckets held for these keys (keys without one are missing) */
  get(keys: readonly string[]): Promise<ReadonlyMap<string, Bucket>>;
  /** a wrong guess: one token less in the bucket of each key (refilled first), as one step */
  take(entries: ReadonlyArray<{ readonly key: string; readonly policy: ThrottlePolicy }>, nowMs: number): Promise<void>;
  /** forget buckets that have refilled completely (at the latest those unused for `idleMs`); answers how many */
  sweep(nowMs: number, idleMs: number): Promise<number>;
  /** buckets held, as of the last call (for a gauge) */
  readonly size: number;
}

export class MemoryThrottleStore implements ThrottleStore {
  private readonly buckets = new Map<string, { bucket: Bucket; policy: ThrottlePolicy }>();

  async get(keys: readonly string[]): Promise<ReadonlyMap<string, Bucket>> {
    return new Map(keys.flatMap((key) => (this.buckets.has(key) ? [[key, this.buckets.get(key)!.bucket] as const] : [])));
  }

  async take(entries: ReadonlyArray<{ readonly key: string; readonly policy: ThrottlePolicy }>, nowMs: number): Promise<void> {
    for (const { key, policy } of entries) this.buckets.set(key, { bucket: recordWrongGuess(this.buckets.get(key)?.bucket, policy, nowMs), policy });
  }

  async sweep(nowMs: number): Promise<number> {
    let swept = 0;
    for (const [key, { bucket, policy }] of this.buckets) {
      if (isIdle(bucket, policy, nowMs)) {
        this.buckets.delete(key);
        swept++;
      }
    }
    return swept;
  }

  get size(): number {
    return this.buckets.size;
  }
}
