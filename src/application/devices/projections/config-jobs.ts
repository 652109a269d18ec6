/**
 * `devices.config-jobs`: every config job (collection `jobs`, key: job id), the latest
 * active job per (domain, category selector, type) (`heads`, key
 * `<domain>/<category or *>/<type>`), and what a phone gets, merged ahead of time
 * (`merged`, key `<domain>/<category>` or `<domain>/*`: `{revision, settings}` from the
 * domain's `mergedConfig`).
 *
 * A phone's config is `merged/<domain>/<category>` when its category has a config job of
 * its own, else `merged/<domain>/*`: at most two lookups, however many jobs there are.
 * To keep that true, a change in a scope re-merges its category, and a change of a `*` job
 * re-merges `*` and every category of the domain that has jobs of its own (`named`, key
 * `<domain>`); the types with a head per scope are in `types`. Admin list: `index`.
 */
import { ANY_CATEGORY, ConfigJob, mergedConfig, selectorsByPrecedence, type CategoryId, type CategorySelector, type ConfigJobView, type DomainName } from '../../../domain';
import type { Projection } from '../../projections/projection';
import { decodeEvent, DocTx, positionKey } from './doc-tx';
import { JobChain } from './job-chain';
import { indexJob } from './job-index';

export const CONFIG_JOBS = 'devices.config-jobs';
export const MERGED = 'merged';
const TYPES = 'types';
const NAMED = 'named';

export const configJobChain = new JobChain<ConfigJob.Created>('jobs', 'heads');

const scopeOf = (domain: string, category: string): string => `${domain}/${category}`;
export const mergedKey = scopeOf;

interface Names {
  readonly names: readonly string[];
}

const namesOf = async (tx: DocTx, collection: string, key: string): Promise<readonly string[]> =>
  (await tx.get<Names>(collection, key))?.names ?? [];

/** add or drop one name of a sorted name list; an empty list is no document */
const setName = async (tx: DocTx, collection: string, key: string, name: string, present: boolean): Promise<void> => {
  const names = new Set(await namesOf(tx, collection, key));
  if (present) names.add(name);
  else names.delete(name);
  if (names.size === 0) tx.remove(collection, key);
  else tx.put(collection, key, { names: [...names].sort() });
};

/** Merge the heads that match `target` (a category, or `*` for a category with no jobs of its own). */
const remerge = async (tx: DocTx, domain: DomainName, target: string): Promise<void> => {
  const scopes = selectorsByPrecedence(target as CategorySelector);
  const own = await namesOf(tx, TYPES, scopeOf(domain, target));
  if (own.length === 0) {
    tx.remove(MERGED, mergedKey(domain, target));
    return;
  }
  const types = new Set<string>(own);
  if (target !== ANY_CATEGORY) for (const type of await namesOf(tx, TYPES, scopeOf(domain, ANY_CATEGORY))) types.add(type);
  const jobs: ConfigJobView[] = [];
  for (const type of types) {
    for (const scope of scopes) {
      const head = await tx.get<ConfigJob.Created>(configJobChain.heads, `${scopeOf(domain, scope)}/${type}`);
      if (head) jobs.push(head);
    }
  }
  // as a category, `*` matches exactly the `*` jobs: the config of every category without jobs of its own
  const merged = mergedConfig(jobs, domain, target as CategoryId);
  if (merged === null) tx.remove(MERGED, mergedKey(domain, target));
  else tx.put(MERGED, mergedKey(domain, target), merged);
};

export const configJobsProjection: Projection = {
  name: CONFIG_JOBS,
  version: 1,
  eventTypes: ConfigJob.Event.types,
  async apply(event, view) {
    const ev = decodeEvent(ConfigJob.Event, event);
    if (!ev) return [];
    const tx = new DocTx(view);
    const { jobId, domain, category, type } = ev.data;
    const scope = scopeOf(domain, category);
    const chainScope = `${scope}/${type}`;
    if (ev.type === 'ConfigJobCreated') {
      const job = ConfigJob.evolve(ConfigJob.initialState, ev);
      if (job.status === 'none') return [];
      await configJobChain.push(tx, chainScope, job);
      indexJob(tx, jobId, domain, category, positionKey(event.globalPosition));
    } else {
      const before = await configJobChain.get(tx, jobId);
      if (before === undefined) return [];
      const job = ConfigJob.evolve(before, ev);
      if (job.status === 'none') return [];
      await configJobChain.unlink(tx, chainScope, job);
    }
    const hasHead = (await tx.get(configJobChain.heads, chainScope)) !== undefined;
    await setName(tx, TYPES, scope, type, hasHead);
    if (category === ANY_CATEGORY) {
      await remerge(tx, domain, ANY_CATEGORY);
      for (const named of await namesOf(tx, NAMED, domain)) await remerge(tx, domain, named);
    } else {
      await setName(tx, NAMED, domain, category, (await namesOf(tx, TYPES, scope)).length > 0);
      await remerge(tx, domain, category);
    }
    return tx.changes();
  },
};
