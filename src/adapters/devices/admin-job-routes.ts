/**
 * Admin HTTP (SPEC §5.3, §5.4): update jobs (with staged waves) and config jobs. Jobs are
 * never edited: a newer one supersedes, `DELETE` cancels (the job stays in the lists).
 */
import type { FastifyInstance } from 'fastify';
import * as t from 'io-ts';
import type { AdminScope } from '../../application/devices/admin-scope';
import type { DevicesDeps } from '../../application/devices/deps';
import type { Page, PageRequest } from '../../application/devices/paging';
import type { JobFilter } from '../../application/devices/projections/job-index';
import type { Id } from '../../domain';
import { listConfigJobs, listUpdateJobs, updateJobPhones } from '../../application/devices/job-queries';
import { cancelConfigJob, cancelUpdateJob, createConfigJob, createUpdateJob } from '../../application/devices/jobs';
import { judgeWave } from '../../application/devices/waves';
import { ConfigJobSummary, JobPhone, UpdateJobSummary, WaveJudgement } from './answers';
import { ADMIN_TAGS, adminAuthenticator, PageQuery, pageRequest, sendPage } from './admin-kit';
import { ConfigTypeInput, DomainInput, FirmwareInput, IdInput, optional, SelectorInput } from './codecs';
import type { DevicesMetrics } from './metrics';
import { route } from '../http/route';

const JobId = t.type({ jobId: t.string });
const JobFilterQuery = t.type({ domain: optional(DomainInput), category: optional(SelectorInput), ...PageQuery });
const JobParams = t.type({ id: IdInput });

export const adminJobRoutes = (deps: DevicesDeps, adminToken: string, metrics: DevicesMetrics) => async (app: FastifyInstance) => {
  const admin = { tags: ADMIN_TAGS, security: 'bearer', auth: adminAuthenticator(deps, adminToken) };

  route(
    app,
    {
      ...admin,
      method: 'POST',
      url: '/update-jobs',
      summary: 'Bring the phones of a domain and category (or *) to a firmware, optionally in staged waves',
      body: t.type({
        domain: DomainInput,
        category: SelectorInput,
        firmware: FirmwareInput,
        /** cumulative percentages, e.g. [1, 10, 100]; default [100] */
        waves: optional(t.array(t.number)),
        /** halt when a wave's failure rate reaches this; default 0.1 */
        failureThreshold: optional(t.number),
      }),
      responses: { 201: { description: 'created', schema: JobId }, 404: { description: 'no such domain or category' } },
    },
    async ({ body, reply, principal }) => {
      const { waves, failureThreshold, ...job } = body;
      const jobId = await createUpdateJob(deps, principal, { ...job, ...(waves ? { waves } : {}), ...(failureThreshold !== undefined ? { failureThreshold } : {}) });
      reply.code(201);
      return { jobId };
    },
  );

  route(
    app,
    {
      ...admin,
      method: 'GET',
      url: '/update-jobs/:id/phones',
      summary: 'The phones an update job was offered to, by MAC, with the wave that took each in and its outcome',
      params: JobParams,
      query: t.type(PageQuery),
      responses: {
        200: {
          description: '[{mac, wave, outcome}], outcome offered, applied or failed; X-Next-Cursor when there are more',
          schema: t.array(JobPhone),
        },
        404: { description: 'no such job' },
      },
    },
    async ({ params, query, reply, principal }) => sendPage(reply, await updateJobPhones(deps, principal, params.id, pageRequest(query))),
  );

  route(
    app,
    {
      ...admin,
      method: 'POST',
      url: '/update-jobs/:id/advance',
      summary: "Judge a staged job's open wave now: advance it, halt the job, or say it waits for reports",
      params: JobParams,
      responses: {
        200: { description: 'the judgement', schema: WaveJudgement },
        404: { description: 'no such job' },
      },
    },
    async ({ params, principal }) => {
      const judgement = await judgeWave(deps, params.id, 0, principal);
      metrics.waveJudgements.inc({ outcome: judgement.outcome });
      return judgement;
    },
  );

  route(
    app,
    {
      ...admin,
      method: 'POST',
      url: '/config-jobs',
      summary: 'Set the parameters of one config type for a domain and category (or *)',
      body: t.type({ domain: DomainInput, category: SelectorInput, type: ConfigTypeInput, params: t.UnknownRecord }),
      responses: { 201: { description: 'created', schema: JobId }, 404: { description: 'no such domain or category' } },
    },
    async ({ body, reply, principal }) => {
      const jobId = await createConfigJob(deps, principal, { domain: body.domain, category: body.category, configType: body.type, params: body.params });
      reply.code(201);
      return { jobId };
    },
  );

  jobListAndCancel({
    path: '/update-jobs',
    list: { summary: 'Update jobs, newest first, with the progress of their waves', schema: UpdateJobSummary, run: listUpdateJobs },
    cancel: { summary: 'Cancel an update job (it stops matching; kept in history)', run: cancelUpdateJob },
  });
  jobListAndCancel({
    path: '/config-jobs',
    list: { summary: 'Config jobs, newest first', schema: ConfigJobSummary, run: listConfigJobs },
    cancel: { summary: 'Cancel a config job (it stops matching; kept in history)', run: cancelConfigJob },
  });

  /** What both kinds of job share: the list, newest first and paged, and the cancel. */
  function jobListAndCancel<A>(kind: {
    path: string;
    list: { summary: string; schema: t.Mixed; run: (deps: DevicesDeps, scope: AdminScope, filter: JobFilter, page: PageRequest) => Promise<Page<A>> };
    cancel: { summary: string; run: (deps: DevicesDeps, scope: AdminScope, jobId: Id) => Promise<void> };
  }): void {
    route(
      app,
      {
        ...admin,
        method: 'GET',
        url: kind.path,
        summary: kind.list.summary,
        query: JobFilterQuery,
        responses: { 200: { description: 'newest first; X-Next-Cursor when there are more', schema: t.array(kind.list.schema) } },
      },
      async ({ query, reply, principal }) => sendPage(reply, await kind.list.run(deps, principal, query, pageRequest(query))),
    );

    route(
      app,
      {
        ...admin,
        method: 'DELETE',
        url: `${kind.path}/:id`,
        summary: kind.cancel.summary,
        params: JobParams,
        responses: { 204: { description: 'cancelled' }, 404: { description: 'no such job' } },
      },
      async ({ params, principal }) => {
        await kind.cancel.run(deps, principal, params.id);
        return undefined;
      },
    );
  }
};
