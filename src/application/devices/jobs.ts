/**
 * Update and config jobs (SPEC §5.3): created for a domain and a category or `*`, decided
 * on the job's own stream with the domain's state; cancelled, never edited. Each handler
 * waits until the job is in the read models and clears this process's offer cache, so a
 * check-in right after sees it.
 */
import {
  ConfigJob,
  Tenant,
  parseId,
  UpdateJob,
  type CategorySelector,
  type DomainName,
  type Firmware,
  type Id,
} from '../../domain';
import { handle, load } from '../command-handler';
import { actorOf, sees, visibleOr, type AdminScope } from './admin-scope';
import { configJobAggregate, updateJobAggregate } from './aggregates';
import { awaitOwnWrite, metadataOf, nowOf, type DevicesDeps } from './deps';
import { loadDomain } from './domains';
import { CONFIG_JOBS } from './projections/config-jobs';
import { UPDATE_JOBS } from './projections/update-jobs';
import { WAVES } from './projections/waves';
import { orRefuse } from '../refusal';

type Deps = Pick<DevicesDeps, 'events' | 'clock' | 'random' | 'projections' | 'offers'>;

const options = (deps: Deps, scope: AdminScope) => ({ random: deps.random, metadata: metadataOf(actorOf(scope)) });

/** the domain's state, or that of no domain when the caller may not see it */
const domainFor = async (deps: Deps, scope: AdminScope, domain: DomainName): Promise<Tenant.State> =>
  visibleOr(scope, domain, await loadDomain(deps, domain), Tenant.initialState);

/**
 * Refuse, exactly as for a job that does not exist, a job of a domain the caller may not
 * see (a job's domain never changes, so checking before deciding is enough).
 */
export const refuseUnseenUpdateJob = async (deps: Pick<DevicesDeps, 'events' | 'clock'>, scope: AdminScope, jobId: Id): Promise<void> => {
  if (scope.kind === 'global') return;
  const { state } = await load(deps.events, UpdateJob.streamName(jobId), updateJobAggregate);
  if (state.status === 'none' || !sees(scope, state.domain)) orRefuse(UpdateJob.decide({ type: 'CancelUpdateJob', jobId, now: nowOf(deps.clock) }, UpdateJob.initialState));
};

const refuseUnseenConfigJob = async (deps: Pick<DevicesDeps, 'events' | 'clock'>, scope: AdminScope, jobId: Id): Promise<void> => {
  if (scope.kind === 'global') return;
  const { state } = await load(deps.events, ConfigJob.streamName(jobId), configJobAggregate);
  if (state.status === 'none' || !sees(scope, state.domain)) orRefuse(ConfigJob.decide({ type: 'CancelConfigJob', jobId, now: nowOf(deps.clock) }, ConfigJob.initialState));
};

const newJobId = (deps: Deps): Id => orRefuse(parseId(deps.random.uuid()));

export interface UpdateJobInput {
  readonly domain: DomainName;
  readonly category: CategorySelector;
  readonly firmware: Firmware;
  readonly waves?: readonly number[];
  readonly failureThreshold?: number;
}

export const createUpdateJob = async (deps: Deps, scope: AdminScope, input: UpdateJobInput): Promise<Id> => {
  const domainState = await domainFor(deps, scope, input.domain);
  const jobId = newJobId(deps);
  const created = orRefuse(
    await handle(deps.events, UpdateJob.streamName(jobId), updateJobAggregate, { type: 'CreateUpdateJob', jobId, ...input, domainState, now: nowOf(deps.clock) }, options(deps, scope)),
  );
  await Promise.all([awaitOwnWrite(deps, UPDATE_JOBS, created), awaitOwnWrite(deps, WAVES, created)]);
  deps.offers.invalidate();
  return jobId;
};

export const cancelUpdateJob = async (deps: Deps, scope: AdminScope, jobId: Id): Promise<void> => {
  await refuseUnseenUpdateJob(deps, scope, jobId);
  const cancelled = orRefuse(await handle(deps.events, UpdateJob.streamName(jobId), updateJobAggregate, { type: 'CancelUpdateJob', jobId, now: nowOf(deps.clock) }, options(deps, scope)));
  await Promise.all([awaitOwnWrite(deps, UPDATE_JOBS, cancelled), awaitOwnWrite(deps, WAVES, cancelled)]);
  deps.offers.invalidate();
};

export interface ConfigJobInput {
  readonly domain: DomainName;
  readonly category: CategorySelector;
  readonly configType: ConfigJob.ConfigType;
  readonly params: unknown;
}

export const createConfigJob = async (deps: Deps, scope: AdminScope, input: ConfigJobInput): Promise<Id> => {
  const domainState = await domainFor(deps, scope, input.domain);
  const jobId = newJobId(deps);
  const created = orRefuse(
    await handle(deps.events, ConfigJob.streamName(jobId), configJobAggregate, { type: 'CreateConfigJob', jobId, ...input, domainState, now: nowOf(deps.clock) }, options(deps, scope)),
  );
  await awaitOwnWrite(deps, CONFIG_JOBS, created);
  deps.offers.invalidate();
  return jobId;
};

export const cancelConfigJob = async (deps: Deps, scope: AdminScope, jobId: Id): Promise<void> => {
  await refuseUnseenConfigJob(deps, scope, jobId);
  const cancelled = orRefuse(await handle(deps.events, ConfigJob.streamName(jobId), configJobAggregate, { type: 'CancelConfigJob', jobId, now: nowOf(deps.clock) }, options(deps, scope)));
  await awaitOwnWrite(deps, CONFIG_JOBS, cancelled);
  deps.offers.invalidate();
};
