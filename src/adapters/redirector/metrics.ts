/** The Redirector's Prometheus metrics (request latency is the server's `zt_http_request_duration_seconds`, by route). */
import type { PurgeResult } from '../../application/redirector/purge-codes';
import type { Counter, MetricsRegistry } from '../http/metrics';

export interface RedirectorMetrics {
  readonly issued: Counter;
  /** label `redeem`: `first` (bound the MAC) or `repeat` (the same MAC again) */
  readonly redeemed: Counter<'redeem'>;
  readonly refused: Counter;
  readonly rateLimited: Counter;
  /** label `reason`: `expired` or `revoked` */
  readonly purged: Counter<'reason'>;
}

export function redirectorMetrics(registry: MetricsRegistry, throttleBuckets: () => number): RedirectorMetrics {
  registry.gauge('zt_redirector_throttle_buckets', 'source IPs and MACs with wrong guesses the throttle still remembers', throttleBuckets);
  const metrics: RedirectorMetrics = {
    issued: registry.counter('zt_redirector_codes_issued_total', 'provisioning codes issued to installations'),
    redeemed: registry.counter('zt_redirector_codes_redeemed_total', 'phone/redeem answered with a Devices URL, by first or repeat redeem', ['redeem']),
    refused: registry.counter('zt_redirector_codes_refused_total', 'phone/redeem refused as unknown-code (unknown, expired, revoked or bound to another MAC)'),
    rateLimited: registry.counter('zt_redirector_codes_rate_limited_total', 'phone/redeem refused with 429 while the source IP or MAC was throttled'),
    purged: registry.counter('zt_redirector_codes_purged_total', 'codes whose stream and personal data were deleted, by how they ended', ['reason']),
  };
  // every series from the start, so rates work from the first scrape (the unlabelled ones start at 0 by themselves)
  for (const redeem of ['first', 'repeat']) metrics.redeemed.inc({ redeem }, 0);
  for (const reason of ['expired', 'revoked']) metrics.purged.inc({ reason }, 0);
  return metrics;
}

export function countPurged(metrics: RedirectorMetrics, result: PurgeResult): void {
  if (result.purged.expired > 0) metrics.purged.inc({ reason: 'expired' }, result.purged.expired);
  if (result.purged.revoked > 0) metrics.purged.inc({ reason: 'revoked' }, result.purged.revoked);
}
