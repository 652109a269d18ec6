/** One phone (`GET /devices/{mac}`): where it stands, what it is offered now (firmware, merged config), which jobs it got and when, its whole history; approve or release it. */
import { busy, fill, h, table } from '../shared/dom';
import { formatMac, formatTime, stateName, timeText } from '../shared/format';
import { Notice } from '../shared/notice';
import { ADMIN, type Context } from './context';
import type { DeviceSummary } from './device-list';
import { viewCard, type View } from './view';

interface Times {
  readonly offeredAt: string | null;
  readonly reportedAt: string | null;
}

interface DeviceDetails extends DeviceSummary {
  readonly firmwareJobs: ReadonlyArray<{ jobId: string; version: string; outcome: string } & Times>;
  readonly configs: ReadonlyArray<{ revision: string; outcome: string } & Times>;
  readonly current: {
    readonly updateJob: { readonly jobId: string; readonly version: string } | null;
    readonly config: { readonly revision: string; readonly settings: Record<string, unknown> } | null;
  };
  readonly history: ReadonlyArray<{ version: number; type: string; at: string; data: Record<string, unknown> }>;
}

/** the facts of an event worth a line: everything but what every event of the phone repeats */
const details = (data: Record<string, unknown>): string =>
  Object.entries(data)
    .filter(([key]) => !['mac', 'at'].includes(key))
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');

const facts = (device: DeviceDetails): HTMLDListElement =>
  h(
    'dl',
    { class: 'facts' },
    (
      [
        ['MAC', formatMac(device.mac)],
        ['State', stateName(device.state)],
        ['Domain', device.domain],
        ['Category', device.category],
        ['Model', device.model ?? '—'],
        ['Firmware', device.firmware ?? '—'],
        ['Bootcode', device.bootcode ?? '—'],
        ['Config revision', device.configRevision ?? '—'],
        ['In this state since', timeText(device.since)],
        ['Last seen', device.lastSeen ? timeText(device.lastSeen) : 'never'],
      ] as const
    ).map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );

export async function deviceHistoryView(context: Context, mac: string): Promise<View> {
  const error = new Notice('alert', 'device-error');
  const body = h('div', { id: 'device-details' });
  const url = `${ADMIN}/devices/${encodeURIComponent(mac)}`;

  const act = async (button: HTMLButtonElement, action: 'approve' | 'release', done: string): Promise<void> => {
    if (action === 'release' && !window.confirm(`Release ${formatMac(mac)}? Any domain may then provision it again.`)) return;
    try {
      await busy(button, () => context.api.send('POST', `${url}/${action}`));
      context.announce(done);
      await load();
    } catch (failure) {
      context.fail(failure, error);
    }
  };

  const actions = (device: DeviceDetails): HTMLElement => {
    const buttons: HTMLButtonElement[] = [];
    if (device.state === 'awaiting-approval') {
      const approve = h('button', { type: 'button', class: 'primary' }, 'Approve');
      approve.addEventListener('click', () => void act(approve, 'approve', `${formatMac(mac)} is approved.`));
      buttons.push(approve);
    }
    if (device.state !== 'released') {
      const release = h('button', { type: 'button', class: 'danger' }, 'Release');
      release.addEventListener('click', () => void act(release, 'release', `${formatMac(mac)} is released.`));
      buttons.push(release);
    }
    return h('div', { class: 'actions' }, buttons);
  };

  const load = async (): Promise<void> => {
    try {
      const device = await context.api.get<DeviceDetails>(url);
      error.clear();
      fill(
        body,
        facts(device),
        actions(device),
        h('h3', {}, 'What it is offered now'),
        h(
          'p',
          { id: 'current-firmware' },
          device.current.updateJob
            ? `Firmware ${device.current.updateJob.version} (update job ${device.current.updateJob.jobId}); it runs ${device.firmware ?? 'an unknown version'}.`
            : `No update job matches it; it runs ${device.firmware ?? 'an unknown version'}.`,
        ),
        device.current.config
          ? h('pre', { class: 'mono', id: 'merged-config', 'aria-label': `Merged config, revision ${device.current.config.revision}` }, JSON.stringify(device.current.config.settings, null, 2))
          : h('p', { class: 'hint', id: 'merged-config' }, 'No config job matches it.'),
        h('h3', {}, 'Firmware jobs'),
        device.firmwareJobs.length
          ? table(
              'Update jobs offered to this phone',
              ['Job', 'Version', 'Offered', 'Outcome', 'Reported'],
              device.firmwareJobs.map((j) => [h('span', { class: 'mono' }, j.jobId), j.version, formatTime(j.offeredAt), h('span', { class: 'badge', 'data-state': j.outcome }, stateName(j.outcome)), j.reportedAt ? formatTime(j.reportedAt) : '—']),
              { id: 'firmware-jobs-table' },
            )
          : h('p', { class: 'hint' }, 'No update job was offered to it yet.'),
        h('h3', {}, 'Config revisions'),
        device.configs.length
          ? table(
              'Config revisions offered to this phone',
              ['Revision', 'Offered', 'Outcome', 'Reported'],
              device.configs.map((c) => [h('span', { class: 'mono' }, c.revision), formatTime(c.offeredAt), h('span', { class: 'badge', 'data-state': c.outcome }, stateName(c.outcome)), c.reportedAt ? formatTime(c.reportedAt) : '—']),
              { id: 'configs-table' },
            )
          : h('p', { class: 'hint' }, 'No config was offered to it yet.'),
        h('h3', {}, 'History'),
        table(
          'Every event of this phone, oldest first',
          ['#', 'When', 'What', 'Details'],
          device.history.map((e) => [String(e.version), formatTime(e.at), e.type, h('span', { class: 'details' }, details(e.data))]),
          { id: 'history-table' },
        ),
      );
    } catch (failure) {
      context.fail(failure, error);
    }
  };

  await load();
  return {
    element: viewCard(`Phone ${formatMac(mac)}`, h('p', {}, h('a', { href: '#devices' }, '← All phones')), error.element, body),
    refresh: load,
  };
}
