/** What the update-job and config-job views share: the form frame, the cancel button, the list. */
import { busy, fill, h, keepFocus, table, type Child } from '../shared/dom';
import { formatTime, stateName } from '../shared/format';
import { Notice } from '../shared/notice';
import type { Context } from './context';
import { viewTitle } from './view';

export interface JobBase {
  readonly jobId: string;
  readonly domain: string;
  readonly category: string;
  readonly status: string;
  readonly createdAt: string;
}

/** a create form inside a disclosure; `submit` returns the new job's id */
export function jobForm(context: Context, title: string, fields: readonly Child[], submit: () => Promise<string>, done: () => Promise<void>): HTMLElement {
  const error = new Notice('alert');
  const button = h('button', { type: 'submit', class: 'primary' }, title);
  const form = h('form', {}, fields, error.element, h('div', { class: 'actions' }, button));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.clear();
    try {
      const jobId = await busy(button, submit);
      context.announce(`Job ${jobId} is created.`);
      await done();
    } catch (failure) {
      context.fail(failure, error);
    }
  });
  return h('details', { class: 'card', open: true }, h('summary', {}, title), form);
}

export function cancelButton(context: Context, job: JobBase, url: string, error: Notice, done: () => Promise<void>): HTMLButtonElement | string {
  if (job.status === 'cancelled') return '';
  const button = h('button', { type: 'button', class: 'danger', id: `cancel-${job.jobId}`, 'aria-label': `Cancel job ${job.jobId}` }, 'Cancel');
  button.addEventListener('click', async () => {
    if (!window.confirm(`Cancel job ${job.jobId}? It stops matching phones; it stays in the list.`)) return;
    try {
      await busy(button, () => context.api.send('DELETE', url));
      context.announce(`Job ${job.jobId} is cancelled.`);
      await done();
    } catch (failure) {
      context.fail(failure, error);
    }
  });
  return button;
}

/** the job's state, id and when it was made */
export const jobCell = (job: JobBase): HTMLElement =>
  h('span', { class: 'job-id' }, h('span', { class: 'badge', 'data-state': job.status }, stateName(job.status)), ' ', h('span', { class: 'mono' }, job.jobId), ' ', h('small', { class: 'hint' }, formatTime(job.createdAt)));

export const whereCell = (job: JobBase): string => `${job.domain} / ${job.category === '*' ? 'every category' : job.category}`;

/** a view of jobs: its heading and what it means, the create form, the list (newest first) */
export const jobsView = (title: string, intro: string, form: HTMLElement, error: Notice, list: HTMLElement): HTMLElement =>
  h('div', {}, viewTitle(title), h('p', {}, intro), form, h('section', { 'aria-label': `${title}, newest first` }, error.element, list));

/** the list of jobs, newest first, in `into` */
export function drawJobs(into: HTMLElement, caption: string, headers: readonly string[], rows: readonly (readonly Child[])[], more: boolean, id: string): void {
  keepFocus(into, () =>
    fill(
      into,
      rows.length === 0 ? h('p', { class: 'hint' }, 'No jobs yet.') : table(caption, headers, rows, { id }),
      more ? h('p', { class: 'hint' }, 'The newest 100 are shown.') : null,
    ),
  );
}
