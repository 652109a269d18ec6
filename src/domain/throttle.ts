/**
 * Throttling wrong code guesses (SPEC §2): per MAC 5 wrong codes, then one per minute;
 * per source IP 100 wrong codes, then one per second (one company's phones may share one
 * public IP). Only well-formed wrong codes count: the caller records a failure only for
 * a code that parsed and was refused as `unknown-code`. While throttled, a request is
 * answered 429 whatever its code, so the gate is asked before the code is looked at.
 *
 * A token bucket per key: `burst` tokens, one more every `intervalMs`; a wrong guess takes
 * one; a request is let through while at least one token is left. Buckets are operational
 * state held in memory by the application (not events: recording every wrong guess would
 * let a guesser fill the log); times are epoch milliseconds for the same reason.
 */

export interface ThrottlePolicy {
  /** wrong guesses allowed at once */
  readonly burst: number;
  /** after the burst, one more guess per this many milliseconds */
  readonly intervalMs: number;
}

export const MAC_THROTTLE: ThrottlePolicy = { burst: 5, intervalMs: 60_000 };
export const IP_THROTTLE: ThrottlePolicy = { burst: 100, intervalMs: 1_000 };

export interface Bucket {
  readonly tokens: number;
  readonly atMs: number;
}

const refill = (bucket: Bucket | undefined, policy: ThrottlePolicy, nowMs: number): number =>
  bucket === undefined
    ? policy.burst
    : Math.min(policy.burst, bucket.tokens + Math.max(0, nowMs - bucket.atMs) / policy.intervalMs);

export type Gate = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

/** May a request with this key go through now? If not, when to try again (whole seconds, at least 1). */
export const gate = (bucket: Bucket | undefined, policy: ThrottlePolicy, nowMs: number): Gate => {
  const tokens = refill(bucket, policy, nowMs);
  return tokens >= 1
    ? { allowed: true }
    : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(Math.round((1 - tokens) * policy.intervalMs) / 1000)) };
};

/** The bucket after a wrong, well-formed guess. */
export const recordWrongGuess = (bucket: Bucket | undefined, policy: ThrottlePolicy, nowMs: number): Bucket => ({
  tokens: Math.max(0, refill(bucket, policy, nowMs) - 1),
  atMs: nowMs,
});

/** A bucket that has refilled completely holds nothing worth keeping. */
export const isIdle = (bucket: Bucket, policy: ThrottlePolicy, nowMs: number): boolean => refill(bucket, policy, nowMs) >= policy.burst;

/** Both gates (per MAC and per source IP) must let a request through; the longer wait wins. */
export const combineGates = (...gates: readonly Gate[]): Gate => {
  const waits = gates.flatMap((g) => (g.allowed ? [] : [g.retryAfterSeconds]));
  return waits.length === 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(...waits) };
};
