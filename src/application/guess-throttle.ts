/**
 * The throttle of wrong code guesses (SPEC §2), one class for the Redirector's
 * `phone/redeem` and Devices' `phone/provision`: the domain's token buckets per source IP
 * and per MAC (src/domain/throttle.ts, whose limits are the defaults), kept in a
 * ThrottleStore: this process's memory, or a shared table so that a guesser's attempts
 * count on every node. Only a refused, well-formed code is recorded; while either bucket
 * is empty every request of that IP or MAC is refused. Buckets that have refilled
 * completely are dropped at most once a minute, so what is kept stays bounded by the
 * guesses of the last minutes.
 */
import { combineGates, gate, IP_THROTTLE, MAC_THROTTLE, type Gate, type ThrottlePolicy } from '../domain/throttle';
import type { Clock } from './ports/clock';
import { MemoryThrottleStore, type ThrottleStore } from './ports/throttle-store';

export interface ThrottlePolicies {
  readonly perMac: ThrottlePolicy;
  readonly perIp: ThrottlePolicy;
}

export interface GuessThrottleOptions {
  /** default: the domain's MAC_THROTTLE and IP_THROTTLE */
  readonly policies?: Partial<ThrottlePolicies>;
  /** default: this process's memory */
  readonly store?: ThrottleStore;
  /** separates the buckets of two throttles in one store (`redirector`, `devices`) */
  readonly namespace?: string;
}

const SWEEP_EVERY_MS = 60_000;

export class GuessThrottle {
  readonly policies: ThrottlePolicies;
  private readonly store: ThrottleStore;
  private readonly namespace: string;
  private lastSweepMs: number;

  constructor(
    private readonly clock: Clock,
    options: GuessThrottleOptions = {},
  ) {
    this.policies = { perMac: options.policies?.perMac ?? MAC_THROTTLE, perIp: options.policies?.perIp ?? IP_THROTTLE };
    this.store = options.store ?? new MemoryThrottleStore();
    this.namespace = options.namespace ?? 'guesses';
    this.lastSweepMs = clock.now().getTime();
  }

  private keys(ip: string, mac: string): { ip: string; mac: string } {
    return { ip: `${this.namespace}:ip:${ip}`, mac: `${this.namespace}:mac:${mac}` };
  }

  /** May a request from this IP for this MAC go through now? Both gates must let it. */
  async gate(ip: string, mac: string): Promise<Gate> {
    const now = this.clock.now().getTime();
    const keys = this.keys(ip, mac);
    const buckets = await this.store.get([keys.ip, keys.mac]);
    return combineGates(gate(buckets.get(keys.ip), this.policies.perIp, now), gate(buckets.get(keys.mac), this.policies.perMac, now));
  }

  /** a well-formed code was refused: one token less for the IP and for the MAC */
  async recordWrongGuess(ip: string, mac: string): Promise<void> {
    const now = this.clock.now().getTime();
    const keys = this.keys(ip, mac);
    await this.store.take(
      [
        { key: keys.ip, policy: this.policies.perIp },
        { key: keys.mac, policy: this.policies.perMac },
      ],
      now,
    );
    if (now - this.lastSweepMs >= SWEEP_EVERY_MS) await this.sweep();
  }

  /** forget the buckets that have refilled: they hold nothing worth keeping */
  async sweep(): Promise<number> {
    const now = this.clock.now().getTime();
    this.lastSweepMs = now;
    const longest = Math.max(...[this.policies.perIp, this.policies.perMac].map((p) => p.burst * p.intervalMs));
    return this.store.sweep(now, longest);
  }

  /** buckets held (IPs and MACs; in a shared store, of every node and throttle) */
  get size(): number {
    return this.store.size;
  }
}
