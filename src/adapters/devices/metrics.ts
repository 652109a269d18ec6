/** What Devices counts at `GET /metrics`. */
import type { Counter, MetricsRegistry } from '../http/metrics';

export interface DevicesMetrics {
  readonly provisions: Counter<'outcome'>;
  readonly checkIns: Counter<'changed'>;
  readonly offers: Counter<'kind'>;
  readonly reports: Counter<'kind' | 'outcome'>;
  readonly pushesSent: Counter;
  readonly pushesAcknowledged: Counter<'result'>;
  readonly redirectorCalls: Counter<'operation' | 'outcome'>;
  readonly waveJudgements: Counter<'outcome'>;
}

export interface DevicesGauges {
  /** notices waiting for an acknowledgement, over every domain */
  outboxSize(): number;
  /** Users connections logged in */
  appSessions(): number;
  /** last-seen times not written yet */
  presenceUnwritten(): number;
}

export const devicesMetrics = (registry: MetricsRegistry, gauges: DevicesGauges): DevicesMetrics => {
  registry.gauge('zt_devices_outbox_size', 'PhoneProvisioned notices not acknowledged yet', () => gauges.outboxSize());
  registry.gauge('zt_devices_app_sessions', 'Users connections logged in to the apps WebSocket', () => gauges.appSessions());
  registry.gauge('zt_devices_presence_unwritten', 'last-seen times kept in memory, not yet written', () => gauges.presenceUnwritten());
  return {
    provisions: registry.counter('zt_devices_provisions_total', 'phone/provision requests by outcome', ['outcome']),
    checkIns: registry.counter('zt_devices_checkins_total', 'phone/checkin requests answered, by whether they wrote events', ['changed']),
    offers: registry.counter('zt_devices_offers_total', 'firmware and config offered in check-in answers', ['kind']),
    reports: registry.counter('zt_devices_reports_total', 'phone/report outcomes by kind', ['kind', 'outcome']),
    pushesSent: registry.counter('zt_devices_pushes_sent_total', 'PhoneProvisioned pushes sent to Users'),
    pushesAcknowledged: registry.counter('zt_devices_pushes_acknowledged_total', 'PhoneProvisionedAck messages by result', ['result']),
    redirectorCalls: registry.counter('zt_devices_redirector_calls_total', 'calls to the Redirector by operation and outcome', ['operation', 'outcome']),
    waveJudgements: registry.counter('zt_devices_wave_judgements_total', 'judgements of update waves by outcome', ['outcome']),
  };
};
