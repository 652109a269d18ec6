/**
 * `devices.update-jobs`: every update job (collection `jobs`, key: job id, its state
 * folded with `UpdateJob.evolve`), the latest active job per (domain, category selector)
 * (collection `heads`, key `<domain>/<category or *>`: the job itself, so a check-in reads
 * it in one lookup), and the admin list (`index`, see job-index.ts).
 *
 * A phone's job is the head of its category, else the head of `*` (the domain's
 * `byPrecedence`): two lookups, however many jobs there are. A halted job stays the head (it
 * offers nothing, no automatic downgrade); a cancelled one is unlinked.
 */
import { UpdateJob } from '../../../domain';
import type { Projection } from '../../projections/projection';
import { decodeEvent, DocTx, positionKey } from './doc-tx';
import { JobChain } from './job-chain';
import { indexJob } from './job-index';

export const UPDATE_JOBS = 'devices.update-jobs';

export const updateJobChain = new JobChain<UpdateJob.Created>('jobs', 'heads');

export const updateJobScope = (domain: string, category: string): string => `${domain}/${category}`;

export const updateJobsProjection: Projection = {
  name: UPDATE_JOBS,
  version: 1,
  eventTypes: UpdateJob.Event.types,
  async apply(event, view) {
    const ev = decodeEvent(UpdateJob.Event, event);
    if (!ev) return [];
    const tx = new DocTx(view);
    const { jobId, domain, category } = ev.data;
    const scope = updateJobScope(domain, category);
    const before = ev.type === 'UpdateJobCreated' ? UpdateJob.initialState : await updateJobChain.get(tx, jobId);
    if (before === undefined) return [];
    const job = UpdateJob.evolve(before, ev);
    if (job.status === 'none') return [];
    switch (ev.type) {
      case 'UpdateJobCreated':
        await updateJobChain.push(tx, scope, job);
        indexJob(tx, jobId, domain, category, positionKey(event.globalPosition));
        break;
      case 'UpdateJobCancelled':
        await updateJobChain.unlink(tx, scope, job);
        break;
      case 'UpdateWaveAdvanced':
      case 'UpdateJobHalted':
        await updateJobChain.update(tx, scope, job);
        break;
    }
    return tx.changes();
  },
};
