/**
 * Update and config jobs (SPEC §5.3): created for a domain and a category or `*`, decided
 * on the job's own stream with the domain's state; cancelled, never edited. Each handler
 * waits until the job is in the read models and clears this process's offer cache, so a
 * check-in right after sees it.
 */
import {
  ConfigJob,
  parseId,
  UpdateJob,
  type CategorySelector,
  type DomainName,
  type Firmware,
  type Id,
} from '../../domain';
import { handle } from '../command-handler';
import { configJobAggregate, updateJobAggregate } from './aggregates';
import { awaitOwnWrite, metadataOf, nowOf, type DevicesDeps } from './deps';
import { loadDomain } from './domains';
import { CONFIG_JOBS } from './projections/config-jobs';
import { UPDATE_JOBS } from './projections/update-jobs';
import { WAVES } from './projections/waves';
import { orRefuse } from './refusal';

type Deps = Pick<DevicesDeps, 'events' | 'clock' | 'random' | 'projections' | 'offers'>;

const options = (deps: Deps) => ({ random: deps.random, metadata: metadataOf('admin') });

const newJobId = (deps: Deps): Id => orRefuse(parseId(deps.random.uuid()));

export interface UpdateJobInput {
  readonly domain: DomainName;
  readonly category: CategorySelector;
  readonly firmware: Firmware;
  readonly waves?: readonly number[];
  readonly failureThreshold?: number;
}

export const createUpdateJob = async (deps: Deps, input: UpdateJobInput): Promise<Id> => {
  const domainState = await loadDomain(deps, input.domain);
  const jobId = newJobId(deps);
  const created = orRefuse(
    await handle(deps.events, UpdateJob.streamName(jobId), updateJobAggregate, { type: 'CreateUpdateJob', jobId, ...input, domainState, now: nowOf(deps.clock) }, options(deps)),
  );
  await Promise.all([awaitOwnWrite(deps, UPDATE_JOBS, created.position), awaitOwnWrite(deps, WAVES, created.position)]);
  deps.offers.invalidate();
  return jobId;
};

export const cancelUpdateJob = async (deps: Deps, jobId: Id): Promise<void> => {
  const cancelled = orRefuse(await handle(deps.events, UpdateJob.streamName(jobId), updateJobAggregate, { type: 'CancelUpdateJob', jobId, now: nowOf(deps.clock) }, options(deps)));
  await Promise.all([awaitOwnWrite(deps, UPDATE_JOBS, cancelled.position), awaitOwnWrite(deps, WAVES, cancelled.position)]);
  deps.offers.invalidate();
};

export interface ConfigJobInput {
  readonly domain: DomainName;
  readonly category: CategorySelector;
  readonly configType: ConfigJob.ConfigType;
  readonly params: unknown;
}

export const createConfigJob = async (deps: Deps, input: ConfigJobInput): Promise<Id> => {
  const domainState = await loadDomain(deps, input.domain);
  const jobId = newJobId(deps);
  const created = orRefuse(
    await handle(deps.events, ConfigJob.streamName(jobId), configJobAggregate, { type: 'CreateConfigJob', jobId, ...input, domainState, now: nowOf(deps.clock) }, options(deps)),
  );
  await awaitOwnWrite(deps, CONFIG_JOBS, created.position);
  deps.offers.invalidate();
  return jobId;
};

export const cancelConfigJob = async (deps: Deps, jobId: Id): Promise<void> => {
  const cancelled = orRefuse(await handle(deps.events, ConfigJob.streamName(jobId), configJobAggregate, { type: 'CancelConfigJob', jobId, now: nowOf(deps.clock) }, options(deps)));
  await awaitOwnWrite(deps, CONFIG_JOBS, cancelled.position);
  deps.offers.invalidate();
};
