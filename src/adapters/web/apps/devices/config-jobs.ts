/** Config jobs (`/config-jobs`): the parameters of one config type for a domain and category; create and cancel. */
import { h, labelled } from '../shared/dom';
import { AppError } from '../shared/errors';
import { Notice } from '../shared/notice';
import { ADMIN, domainAndCategory, type Context } from './context';
import { cancelButton, drawJobs, jobCell, jobForm, jobsView, whereCell, type JobBase } from './job-kit';
import type { View } from './view';

interface ConfigJob extends JobBase {
  readonly type: string;
  readonly params: Record<string, unknown>;
}

const JOBS = `${ADMIN}/config-jobs`;
const TYPES = ['sip', 'time', 'ldap', 'expert'];

/** the parameters as typed: a JSON object */
function parseParams(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError('validation-failed', `the parameters are not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError('validation-failed', 'the parameters are a JSON object, e.g. {"registrar": "pbx.example.com"}');
  return value as Record<string, unknown>;
}

export async function configJobsView(context: Context): Promise<View> {
  const error = new Notice('alert', 'config-jobs-error');
  const list = h('div', { id: 'config-jobs', class: 'card' });

  const where = await domainAndCategory(context, { domain: 'config-domain', category: 'config-category' }, { firstCategory: ['*', 'Every category (*)'] });
  const type = h('input', { id: 'config-type', name: 'type', required: true, list: 'config-types', placeholder: 'sip' });
  const params = h('textarea', { id: 'config-params', name: 'params', required: true, rows: 5, placeholder: '{"registrar": "pbx.example.com", "transport": "tls"}' });

  const load = async (): Promise<void> => {
    try {
      const answer = await context.api.call<ConfigJob[]>(JOBS, { query: { limit: '100' } });
      error.clear();
      drawJobs(
        list,
        'Config jobs, newest first',
        ['Job', 'Where', 'Type', 'Parameters', ''],
        answer.data.map((job) => [
          jobCell(job),
          whereCell(job),
          h('span', { class: 'mono' }, job.type),
          h('pre', {}, JSON.stringify(job.params, null, 2)),
          cancelButton(context, job, `${JOBS}/${encodeURIComponent(job.jobId)}`, error, load),
        ]),
        answer.headers.has('x-next-cursor'),
        'config-jobs-table',
      );
    } catch (failure) {
      context.fail(failure, error);
    }
  };

  const create = jobForm(
    context,
    'New config job',
    [
      where.element,
      labelled('Config type', type, 'sip, time, ldap, expert, … A phone gets the latest job of every type, merged.'),
      h('datalist', { id: 'config-types' }, TYPES.map((t) => h('option', { value: t }))),
      labelled('Parameters (JSON)', params),
    ],
    async () => {
      const body = { domain: where.domain(), category: where.category(), type: type.value.trim(), params: parseParams(params.value) };
      return (await context.api.send<{ jobId: string }>('POST', JOBS, body)).jobId;
    },
    load,
  );

  await load();
  return {
    element: jobsView('Config jobs', 'A phone gets the latest config job of every type for its domain and category, merged, once its firmware is current.', create, error, list),
    refresh: load,
  };
}
