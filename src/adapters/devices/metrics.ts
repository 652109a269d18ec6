/** What Devices counts at `GET /metrics`. */
import type { Counter, MetricsRegistry } from '../http/metrics';

export interface DevicesMetrics {
  readonly provisions: Counter;
  readonly checkIns: Counter;
  readonly offers: Counter;
  readonly reports: Counter;
  readonly pushesSent: Counter;
  readonly pushesAcknowledged: Counter;
  readonly redirectorCalls: Counter;
  readonly waveJudgements: Counter;
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
  registry.gauge('zt_devices_outbox_size', 'PhoneProvisioned notices not acknowledged yet', () => [{ value: gauges.outboxSize() }]);
  registry.gauge('zt_devices_app_sessions', 'Users connections logged in to the apps WebSocket', () => [{ value: gauges.appSessions() }]);
  registry.gauge('zt_devices_presence_unwritten', 'last-seen times kept in memory, not yet written', () => [{ value: gauges.presenceUnwritten() }]);
  return {
    provisions: registry.counter('zt_devices_provisions_total', 'phone/provision requests by outcome'),
    checkIns: registry.counter('zt_devices_checkins_total', 'phone/checkin requests answered, by whether they wrote events'),
    offers: registry.counter('zt_devices_offers_total', 'firmware and config offered in check-in answers'),
    reports: registry.counter('zt_devices_reports_total', 'phone/report outcomes by kind'),
    pushesSent: registry.counter('zt_devices_pushes_sent_total', 'PhoneProvisioned pushes sent to Users'),
    pushesAcknowledged: registry.counter('zt_devices_pushes_acknowledged_total', 'PhoneProvisionedAck messages by result'),
    redirectorCalls: registry.counter('zt_devices_redirector_calls_total', 'calls to the Redirector by operation and outcome'),
    waveJudgements: registry.counter('zt_devices_wave_judgements_total', 'judgements of update waves by outcome'),
  };
};
