/**
 * The check-in's offer inputs (the latest matching update job and the merged config of a
 * domain and category), read from the job read models in two lookups (`offerInputs`) and
 * kept in memory for a moment. They change only when an admin
 * creates or cancels a job or a wave moves: this process forgets everything it holds when
 * it does so itself (after its read models show the change), and what other processes do
 * reaches it within the time to live. Read models may trail by a moment anyway; phones
 * check in every few minutes.
 */
import { byPrecedence, selectorsByPrecedence, type CategoryId, type DomainName, type MergedConfig, type UpdateJob } from '../../domain';
import type { JsonObject } from '../ports/event-store';
import type { ReadModelStore } from '../ports/read-model-store';
import { CONFIG_JOBS, MERGED, mergedKey } from './projections/config-jobs';
import { UPDATE_JOBS, updateJobChain, updateJobScope } from './projections/update-jobs';

export interface OfferInputs {
  readonly updateJob: UpdateJob.Created | null;
  readonly config: MergedConfig | null;
}

/** The latest matching update job and the merged config of a domain and category: its own, else those of `*`. */
export const offerInputs = async (readModels: ReadModelStore, domain: DomainName, category: CategoryId): Promise<OfferInputs> => {
  const selectors = selectorsByPrecedence(category);
  const [heads, merged] = await Promise.all([
    readModels.getMany<UpdateJob.Created & JsonObject>(UPDATE_JOBS, updateJobChain.heads, selectors.map((s) => updateJobScope(domain, s))),
    readModels.getMany<MergedConfig & JsonObject>(CONFIG_JOBS, MERGED, selectors.map((s) => mergedKey(domain, s))),
  ]);
  return {
    updateJob: byPrecedence(category, (s) => heads.get(updateJobScope(domain, s))),
    config: byPrecedence(category, (s) => merged.get(mergedKey(domain, s))),
  };
};

export const OFFER_TTL_MS = 1_000;

interface Entry {
  readonly loadedAt: number;
  readonly value: Promise<OfferInputs>;
}

export class OfferCache {
  private entries = new Map<string, Entry>();

  constructor(
    private readonly load: (domain: DomainName, category: CategoryId) => Promise<OfferInputs>,
    /** a monotonic clock in milliseconds */
    private readonly now: () => number,
    private readonly ttlMs = OFFER_TTL_MS,
  ) {}

  get(domain: DomainName, category: CategoryId): Promise<OfferInputs> {
    const key = `${domain}/${category}`;
    const now = this.now();
    const cached = this.entries.get(key);
    if (cached && now - cached.loadedAt < this.ttlMs) return cached.value;
    const entries = this.entries;
    const entry: Entry = { loadedAt: now, value: this.load(domain, category) };
    entries.set(key, entry);
    const drop = (): void => {
      if (entries.get(key) === entry) entries.delete(key);
    };
    // a failed load is not kept (one begun before `invalidate` went with the old map)
    entry.value.catch(drop);
    return entry.value;
  }

  /** forget everything: a job or wave changed */
  invalidate(): void {
    this.entries = new Map();
  }
}
