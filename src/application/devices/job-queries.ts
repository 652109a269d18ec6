/**
 * The admin lists of update and config jobs (SPEC §5.3), newest first, cancelled ones
 * included; update jobs with the progress of their waves.
 */
import { UpdateJob, type ConfigJob, type Id } from '../../domain';
import { load } from '../command-handler';
import { updateJobAggregate } from './aggregates';
import type { JsonObject } from '../ports/event-store';
import type { DevicesDeps } from './deps';
import { readIndex, type Page, type PageRequest } from './paging';
import { CONFIG_JOBS, configJobChain } from './projections/config-jobs';
import type { ChainedJob } from './projections/job-chain';
import { JOB_INDEX, jobIndexPrefix, type JobFilter } from './projections/job-index';
import { UPDATE_JOBS, updateJobChain } from './projections/update-jobs';
import { WAVE_JOBS, WAVE_PHONES, WAVES, type PhoneDoc, type WaveCount, type WaveDoc } from './projections/waves';
import { listDomain, sees, type AdminScope } from './admin-scope';
import { Refusal } from '../refusal';

type Deps = Pick<DevicesDeps, 'readModels'>;

const jobsOf = async <J>(deps: Deps, scope: AdminScope, projection: string, jobs: string, requested: JobFilter, page: PageRequest): Promise<Page<J>> => {
  const domain = listDomain(scope, requested.domain);
  if (domain === null) return { items: [], next: undefined };
  const filter: JobFilter = { ...requested, ...(domain === undefined ? {} : { domain }) };
  const prefix = jobIndexPrefix(filter);
  if (prefix === undefined) throw new Refusal('validation-failed', 'filter by category only together with a domain');
  const index = await readIndex<{ jobId: string }>(deps.readModels, projection, JOB_INDEX, prefix, page, { reverse: true });
  const ids = index.items.map((item) => item.doc.jobId);
  const docs = await deps.readModels.getMany<ChainedJob<J> & JsonObject>(projection, jobs, ids);
  return { items: ids.flatMap((id) => (docs.has(id) ? [docs.get(id)!.job] : [])), next: index.next };
};

export interface WaveProgress extends WaveCount {
  readonly wave: number;
  /** cumulative share of the job's phones */
  readonly percent: number;
  readonly open: boolean;
}

export interface UpdateJobSummary {
  readonly jobId: string;
  readonly domain: string;
  readonly category: string;
  readonly status: UpdateJob.Created['status'];
  readonly firmware: UpdateJob.Created['firmware'];
  readonly waves: readonly number[];
  readonly failureThreshold: number;
  readonly openWave: number;
  readonly createdAt: string;
  readonly progress: readonly WaveProgress[];
  /** when the open wave opened */
  readonly openedAt: string | null;
}

export const listUpdateJobs = async (deps: Deps, scope: AdminScope, filter: JobFilter, page: PageRequest): Promise<Page<UpdateJobSummary>> => {
  const jobs = await jobsOf<UpdateJob.Created>(deps, scope, UPDATE_JOBS, updateJobChain.jobs, filter, page);
  const waves = await deps.readModels.getMany<WaveDoc & JsonObject>(WAVES, WAVE_JOBS, jobs.items.map((job) => job.jobId));
  const items = jobs.items.map((job): UpdateJobSummary => {
    const wave = waves.get(job.jobId);
    return {
      jobId: job.jobId,
      domain: job.domain,
      category: job.category,
      status: job.status,
      firmware: job.firmware,
      waves: job.waves,
      failureThreshold: job.failureThreshold,
      openWave: job.openWave,
      createdAt: job.createdAt,
      openedAt: wave?.openedAt ?? null,
      progress: job.waves.map((percent, i) => ({
        wave: i,
        percent,
        open: i === job.openWave,
        ...(wave?.counts[i] ?? { offered: 0, applied: 0, failed: 0 }),
      })),
    };
  });
  return { items, next: jobs.next };
};

export interface JobPhone extends PhoneDoc {
  readonly mac: string;
}

/** the phones an update job was offered to, by MAC: the wave that took each in, and how it went */
export const updateJobPhones = async (deps: Pick<DevicesDeps, 'readModels' | 'events'>, scope: AdminScope, jobId: Id, page: PageRequest): Promise<Page<JobPhone>> => {
  const { state } = await load(deps.events, UpdateJob.streamName(jobId), updateJobAggregate);
  const seen = state.status !== 'none' && sees(scope, state.domain);
  if (!seen || (await deps.readModels.get(WAVES, WAVE_JOBS, jobId)) === undefined) throw new Refusal('not-found', `no update job ${jobId}`);
  const prefix = `${jobId}/`;
  const index = await readIndex<PhoneDoc & JsonObject>(deps.readModels, WAVES, WAVE_PHONES, prefix, page);
  return { items: index.items.map(({ key, doc }) => ({ mac: key.slice(prefix.length), wave: doc.wave, outcome: doc.outcome })), next: index.next };
};

export const listConfigJobs = (deps: Deps, scope: AdminScope, filter: JobFilter, page: PageRequest): Promise<Page<ConfigJob.Created>> =>
  jobsOf<ConfigJob.Created>(deps, scope, CONFIG_JOBS, configJobChain.jobs, filter, page);
