/**
 * Update jobs (`/update-jobs`): create one (firmware per model, optionally in staged
 * waves), cancel one, judge a staged job's open wave now, and see each wave's progress and
 * which phones are on the job (`/update-jobs/{id}/phones`).
 */
import { busy, fill, h, keepFocus, labelled, table } from '../shared/dom';
import { AppError } from '../shared/errors';
import { stateName } from '../shared/format';
import { Notice } from '../shared/notice';
import { ADMIN, domainAndCategory, type Context } from './context';
import { deviceLink } from './device-list';
import { cancelButton, jobCell, jobForm, jobsView, whereCell, type JobBase } from './job-kit';
import type { View } from './view';

interface WaveProgress {
  readonly wave: number;
  readonly percent: number;
  readonly open: boolean;
  readonly offered: number;
  readonly applied: number;
  readonly failed: number;
}

interface UpdateJob extends JobBase {
  readonly firmware: { readonly version: string; readonly bootcode: string; readonly files: Readonly<Record<string, { url: string; sha256: string }>> };
  readonly waves: readonly number[];
  readonly failureThreshold: number;
  readonly openWave: number;
  readonly progress: readonly WaveProgress[];
}

interface JobPhone {
  readonly mac: string;
  readonly wave: number;
  readonly outcome: string;
}

const JOBS = `${ADMIN}/update-jobs`;

/** `IP112 https://… <sha256>` per line → files by model */
function parseFiles(text: string): Record<string, { url: string; sha256: string }> {
  const files: Record<string, { url: string; sha256: string }> = {};
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .forEach((line, i) => {
      const [model, url, sha256, ...rest] = line.split(/\s+/);
      if (!model || !url || !sha256 || rest.length) throw new AppError('validation-failed', `files, line ${i + 1}: write the model, the URL and the SHA-256, separated by spaces`);
      files[model] = { url, sha256 };
    });
  if (Object.keys(files).length === 0) throw new AppError('validation-failed', 'give the firmware file of at least one model');
  return files;
}

/** `1, 10, 100` → [1, 10, 100]; empty → undefined (all at once) */
function parseWaves(text: string): number[] | undefined {
  if (text.trim() === '') return undefined;
  const waves = text.split(/[\s,;]+/).filter(Boolean).map(Number);
  if (waves.some((n) => !Number.isFinite(n))) throw new AppError('validation-failed', 'waves are percentages separated by commas, e.g. 1, 10, 100');
  return waves;
}

const waveList = (job: UpdateJob): HTMLElement =>
  h(
    'div',
    { class: 'waves' },
    job.progress.map((w) =>
      h(
        'div',
        { class: 'wave', 'data-open': w.open && job.status === 'running' ? '' : null },
        `Wave ${w.wave + 1} (${w.percent} %)${w.open ? ', open' : ''}: ${w.offered} offered · ${w.applied} applied · ${w.failed} failed`,
        h('meter', { min: 0, max: Math.max(1, w.offered), value: w.applied, 'aria-label': `Wave ${w.wave + 1}: ${w.applied} of ${w.offered} applied` }),
      ),
    ),
    job.waves.length > 1 ? h('small', { class: 'hint' }, `halts at ${Math.round(job.failureThreshold * 100)} % failed`) : null,
  );

export async function updateJobsView(context: Context): Promise<View> {
  const error = new Notice('alert', 'update-jobs-error');
  const list = h('div', { id: 'update-jobs' });
  /** jobs whose phones are shown */
  const opened = new Set<string>();

  const where = await domainAndCategory(context, { domain: 'job-domain', category: 'job-category' }, { firstCategory: ['*', 'Every category (*)'] });
  const version = h('input', { id: 'job-version', name: 'version', required: true, placeholder: '13r3 sr5' });
  const bootcode = h('input', { id: 'job-bootcode', name: 'bootcode', required: true, placeholder: '13r3 sr5' });
  const files = h('textarea', { id: 'job-files', name: 'files', required: true, rows: 4, placeholder: 'IP112 https://firmware.example.com/13r3/ip112.bin 3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b' });
  const waves = h('input', { id: 'job-waves', name: 'waves', inputmode: 'decimal', placeholder: '1, 10, 100' });
  const threshold = h('input', { id: 'job-threshold', name: 'threshold', type: 'number', min: 0, max: 100, step: 1, value: 10 });

  const phonesOf = async (job: UpdateJob, into: HTMLElement): Promise<void> => {
    const phones = await context.api.get<JobPhone[]>(`${JOBS}/${encodeURIComponent(job.jobId)}/phones`, { limit: '1000' });
    fill(
      into,
      phones.length === 0
        ? h('p', { class: 'hint' }, 'No phone was offered this job yet.')
        : table(`Phones on job ${job.jobId}`, ['Phone (MAC)', 'Wave', 'Outcome'], phones.map((p) => [deviceLink(p.mac), String(p.wave + 1), h('span', { class: 'badge', 'data-state': p.outcome }, stateName(p.outcome))])),
    );
  };

  const phonesCell = (job: UpdateJob): HTMLElement => {
    const body = h('div', {});
    const details = h('details', { open: opened.has(job.jobId) }, h('summary', { id: `phones-${job.jobId}` }, 'Phones'), body);
    const show = (): void => void phonesOf(job, body).catch((failure: unknown) => context.fail(failure, error));
    details.addEventListener('toggle', () => {
      if (details.open) {
        opened.add(job.jobId);
        show();
      } else opened.delete(job.jobId);
    });
    if (details.open) show();
    return details;
  };

  const judgeButton = (job: UpdateJob): HTMLButtonElement | string => {
    if (job.status !== 'running' || job.openWave >= job.waves.length - 1) return '';
    const button = h('button', { type: 'button', id: `judge-${job.jobId}`, 'aria-label': `Judge the open wave of job ${job.jobId} now` }, 'Judge wave now');
    button.addEventListener('click', async () => {
      try {
        const judged = await busy(button, () => context.api.send<{ outcome: string }>('POST', `${JOBS}/${encodeURIComponent(job.jobId)}/advance`));
        context.announce(`Job ${job.jobId}: ${judged.outcome}.`);
        await load();
      } catch (failure) {
        context.fail(failure, error);
      }
    });
    return button;
  };

  const card = (job: UpdateJob): HTMLElement => {
    const url = `${JOBS}/${encodeURIComponent(job.jobId)}`;
    return h(
      'article',
      { class: 'job', 'aria-labelledby': `title-${job.jobId}`, 'data-job': job.jobId },
      h('h3', { id: `title-${job.jobId}` }, `${job.firmware.version} for ${whereCell(job)}`),
      h('p', {}, jobCell(job)),
      h('p', { class: 'hint' }, `Bootcode ${job.firmware.bootcode}; files for ${Object.keys(job.firmware.files).join(', ')}`),
      waveList(job),
      h('div', { class: 'actions' }, judgeButton(job), cancelButton(context, job, url, error, load)),
      phonesCell(job),
    );
  };

  const load = async (): Promise<void> => {
    try {
      const answer = await context.api.call<UpdateJob[]>(JOBS, { query: { limit: '100' } });
      error.clear();
      keepFocus(list, () =>
        fill(
          list,
          answer.data.length === 0 ? h('p', { class: 'hint' }, 'No update jobs yet.') : h('div', { class: 'job-list' }, answer.data.map(card)),
          answer.headers.has('x-next-cursor') ? h('p', { class: 'hint' }, 'The newest 100 are shown.') : null,
        ),
      );
    } catch (failure) {
      context.fail(failure, error);
    }
  };

  const create = jobForm(
    context,
    'New update job',
    [
      where.element,
      h('div', { class: 'inline-form' }, labelled('Firmware version', version), labelled('Bootcode version', bootcode)),
      labelled('Firmware files', files, 'One line per phone model: the model, the file URL and its SHA-256, separated by spaces.'),
      h(
        'div',
        { class: 'inline-form' },
        labelled('Waves (%)', waves, 'Cumulative shares of the phones, e.g. 1, 10, 100. Empty: all phones at once.'),
        labelled('Halt at failures (%)', threshold, 'A wave whose phones fail this often halts the job.'),
      ),
    ],
    async () => {
      const staged = parseWaves(waves.value);
      const body = {
        domain: where.domain(),
        category: where.category(),
        firmware: { version: version.value.trim(), bootcode: bootcode.value.trim(), files: parseFiles(files.value) },
        ...(staged ? { waves: staged, failureThreshold: Number(threshold.value) / 100 } : {}),
      };
      return (await context.api.send<{ jobId: string }>('POST', JOBS, body)).jobId;
    },
    load,
  );

  await load();
  return {
    element: jobsView('Update jobs', 'A phone is brought to the latest update job of its domain and category; a job naming the category beats one for every category.', create, error, list),
    refresh: load,
  };
}
