/**
 * The throttle of wrong code guesses (SPEC §2), per source IP and per MAC: the domain's
 * token buckets, held in this process's memory. Buckets that have refilled completely are
 * dropped at most once a minute, so memory stays bounded by the guesses of the last minutes.
 */
import { combineGates, gate, isIdle, recordWrongGuess, type Bucket, type Gate, type ThrottlePolicy } from '../../domain';
import type { Clock } from '../ports/clock';

export interface ThrottlePolicies {
  readonly perMac: ThrottlePolicy;
  readonly perIp: ThrottlePolicy;
}

const SWEEP_EVERY_MS = 60_000;

export class GuessThrottle {
  private readonly byMac = new Map<string, Bucket>();
  private readonly byIp = new Map<string, Bucket>();
  private lastSweepMs: number;

  constructor(
    readonly policies: ThrottlePolicies,
    private readonly clock: Clock,
  ) {
    this.lastSweepMs = clock.now().getTime();
  }

  /** May a request from this IP for this MAC go through now? Both gates must let it. */
  gate(ip: string, mac: string): Gate {
    const now = this.clock.now().getTime();
    return combineGates(gate(this.byIp.get(ip), this.policies.perIp, now), gate(this.byMac.get(mac), this.policies.perMac, now));
  }

  /** a well-formed code was refused: one token less for the IP and for the MAC */
  recordWrongGuess(ip: string, mac: string): void {
    const now = this.clock.now().getTime();
    this.byIp.set(ip, recordWrongGuess(this.byIp.get(ip), this.policies.perIp, now));
    this.byMac.set(mac, recordWrongGuess(this.byMac.get(mac), this.policies.perMac, now));
    if (now - this.lastSweepMs >= SWEEP_EVERY_MS) this.sweep(now);
  }

  /** buckets held (IPs and MACs) */
  get size(): number {
    return this.byMac.size + this.byIp.size;
  }

  private sweep(now: number): void {
    this.lastSweepMs = now;
    for (const [key, bucket] of this.byMac) if (isIdle(bucket, this.policies.perMac, now)) this.byMac.delete(key);
    for (const [key, bucket] of this.byIp) if (isIdle(bucket, this.policies.perIp, now)) this.byIp.delete(key);
  }
}
