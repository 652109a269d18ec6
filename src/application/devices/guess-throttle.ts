/**
 * The throttle of wrong code guesses at `phone/provision` (SPEC §2): token buckets per
 * source IP and per MAC (`src/domain/throttle.ts`), held in memory: operational state, not
 * events. Only a well-formed code answered `unknown-code` counts; while either bucket is
 * empty, every request of that IP or MAC is refused with `rate-limited`.
 */
import { combineGates, gate, isIdle, recordWrongGuess, type Bucket, type ThrottlePolicy } from '../../domain';
import { Refusal } from './refusal';

export class GuessThrottle {
  private readonly byIp = new Map<string, Bucket>();
  private readonly byMac = new Map<string, Bucket>();

  constructor(
    private readonly perIp: ThrottlePolicy,
    private readonly perMac: ThrottlePolicy,
  ) {}

  /** throws `rate-limited` (with when to try again) while the IP or the MAC is throttled */
  check(ip: string, mac: string, nowMs: number): void {
    const verdict = combineGates(gate(this.byIp.get(ip), this.perIp, nowMs), gate(this.byMac.get(mac), this.perMac, nowMs));
    if (!verdict.allowed) {
      throw new Refusal('rate-limited', 'too many wrong codes from this address or phone; try again later', verdict.retryAfterSeconds);
    }
  }

  wrongGuess(ip: string, mac: string, nowMs: number): void {
    this.byIp.set(ip, recordWrongGuess(this.byIp.get(ip), this.perIp, nowMs));
    this.byMac.set(mac, recordWrongGuess(this.byMac.get(mac), this.perMac, nowMs));
  }

  /** forget buckets that have refilled: they hold nothing worth keeping */
  sweep(nowMs: number): void {
    for (const [key, bucket] of this.byIp) if (isIdle(bucket, this.perIp, nowMs)) this.byIp.delete(key);
    for (const [key, bucket] of this.byMac) if (isIdle(bucket, this.perMac, nowMs)) this.byMac.delete(key);
  }

  get size(): number {
    return this.byIp.size + this.byMac.size;
  }
}
