/** `zerotouch admin` nouns of the Devices jobs: update-jobs (with staged waves) and config-jobs. */
import { readFileSync } from 'node:fs';
import { UsageError } from '../usage-error';
import { arg, optionalString, page, required, showPage, type Noun, type VerbContext } from './noun';
import { done, show } from './output';

const enc = encodeURIComponent;

/** a JSON value from `@file` or the text itself */
const jsonOption = (c: VerbContext, name: string): unknown => {
  const text = required(c, name);
  const source = text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text;
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new UsageError(`--${name} takes JSON or @file with JSON: ${(error as Error).message}`);
  }
};

const filter = (c: VerbContext) => ({ domain: optionalString(c, 'domain'), category: optionalString(c, 'category'), ...page(c) });

const cancel = (path: string) => async (c: VerbContext) => {
  const id = arg(c, 0, 'the job id');
  await c.api.devices('DELETE', `${path}/${enc(id)}`);
  done(c.out, `cancelled ${id}`, { jobId: id });
};

const flattenUpdateJob = (job: Record<string, unknown>): Record<string, unknown> => {
  const firmware = (job['firmware'] ?? {}) as { version?: string };
  const progress = (job['progress'] ?? []) as Array<{ percent: number; offered: number; applied: number; failed: number; open: boolean }>;
  return {
    jobId: job['jobId'],
    domain: job['domain'],
    category: job['category'],
    version: firmware.version,
    status: job['status'],
    waves: progress.map((w) => `${w.open ? '*' : ''}${w.percent}%:${w.applied}/${w.offered}${w.failed ? ` ${w.failed} failed` : ''}`).join(' '),
    createdAt: job['createdAt'],
  };
};

export const updateJobs: Noun = {
  name: 'update-jobs',
  summary: 'firmware updates for a domain and category (or *), optionally in staged waves',
  verbs: {
    list: {
      usage: '',
      summary: 'newest first, with the progress of their waves',
      options: { domain: { type: 'string' }, category: { type: 'string' } },
      paged: true,
      run: async (c) => {
        const answer = await c.api.devices('GET', '/update-jobs', { query: filter(c) });
        showPage(c, c.out.json ? answer : { ...answer, body: (answer.body as Array<Record<string, unknown>>).map(flattenUpdateJob) });
      },
    },
    create: {
      usage: '',
      summary: 'bring the phones to a firmware: --firmware {version, bootcode, files: {<model>: {url, sha256}}} as JSON or @file',
      options: { domain: { type: 'string' }, category: { type: 'string' }, firmware: { type: 'string' }, waves: { type: 'string' }, 'failure-threshold': { type: 'string' } },
      run: async (c) => {
        const waves = optionalString(c, 'waves')?.split(',').map((w) => Number(w.trim()));
        if (waves?.some((w) => !Number.isFinite(w))) throw new UsageError('--waves takes cumulative percentages, e.g. 1,10,100');
        const threshold = optionalString(c, 'failure-threshold');
        const body = {
          domain: required(c, 'domain'),
          category: optionalString(c, 'category') ?? '*',
          firmware: jsonOption(c, 'firmware'),
          ...(waves ? { waves } : {}),
          ...(threshold !== undefined ? { failureThreshold: Number(threshold) } : {}),
        };
        show(c.out, (await c.api.devices('POST', '/update-jobs', { body })).body);
      },
    },
    phones: {
      usage: '<id>',
      summary: 'the phones the job was offered to, with their wave and outcome',
      paged: true,
      run: async (c) => showPage(c, await c.api.devices('GET', `/update-jobs/${enc(arg(c, 0, 'the job id'))}/phones`, { query: page(c) })),
    },
    advance: { usage: '<id>', summary: "judge the job's open wave now", run: async (c) => show(c.out, (await c.api.devices('POST', `/update-jobs/${enc(arg(c, 0, 'the job id'))}/advance`)).body) },
    cancel: { usage: '<id>', summary: 'cancel the job (it stops matching; kept in history)', run: cancel('/update-jobs') },
  },
};

export const configJobs: Noun = {
  name: 'config-jobs',
  summary: 'config of one type (sip, time, …) for a domain and category (or *)',
  verbs: {
    list: {
      usage: '',
      summary: 'newest first',
      options: { domain: { type: 'string' }, category: { type: 'string' } },
      paged: true,
      run: async (c) => showPage(c, await c.api.devices('GET', '/config-jobs', { query: filter(c) }), ['jobId', 'domain', 'category', 'type', 'status', 'params', 'createdAt']),
    },
    create: {
      usage: '',
      summary: 'set the parameters of a config type: --params as a JSON object or @file',
      options: { domain: { type: 'string' }, category: { type: 'string' }, type: { type: 'string' }, params: { type: 'string' } },
      run: async (c) => {
        const body = { domain: required(c, 'domain'), category: optionalString(c, 'category') ?? '*', type: required(c, 'type'), params: jsonOption(c, 'params') };
        show(c.out, (await c.api.devices('POST', '/config-jobs', { body })).body);
      },
    },
    cancel: { usage: '<id>', summary: 'cancel the job (it stops matching; kept in history)', run: cancel('/config-jobs') },
  },
};
