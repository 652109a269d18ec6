/**
 * The check-in's offer inputs (the latest matching update job and the merged config of a
 * domain and category), read from the job read models in two lookups (`offerInputs`) and
 * kept in memory. They change only when an admin creates or cancels a job or a wave
 * moves, and the cache forgets everything it holds as soon as the job read models show
 * such a change: the handler that made it, on this process, before it answers, and
 * `followJobChanges` for every change, whichever process made it. A load begun before the
 * change goes with the forgotten entries, so a phone is never offered a job after the read
 * models show it cancelled; the time to live only bounds how long an unused entry stays.
 */
import { byPrecedence, ConfigJob, selectorsByPrecedence, UpdateJob, type CategoryId, type DomainName, type MergedConfig } from '../../domain';
import type { EventStore, JsonObject, Subscription } from '../ports/event-store';
import type { ProjectionWaiter } from '../ports/projection-waiter';
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

export const OFFER_TTL_MS = 60_000;

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

/** the events that change an offer: every event of an update job (waves too) or a config job */
const JOB_EVENT_TYPES: ReadonlySet<string> = new Set([...UpdateJob.Event.types, ...ConfigJob.Event.types]);
/** how long the feed waits for the job read models before it forgets the offers anyway */
const JOB_MODELS_TIMEOUT_MS = 10_000;

/**
 * Follow the log from its head now: after every job event, once the job read models
 * include it, the cache forgets its offers, so a job created, cancelled or moved to its
 * next wave on any process is offered (or no longer) from the next check-in on.
 */
export async function followJobChanges(events: EventStore, projections: ProjectionWaiter, offers: OfferCache): Promise<Subscription> {
  const after = await events.headPosition();
  return events.subscribeAll(
    async (batch) => {
      const position = batch[batch.length - 1]!.globalPosition;
      try {
        await Promise.all([UPDATE_JOBS, CONFIG_JOBS].map((name) => projections.caughtUp({ name, position, timeoutMs: JOB_MODELS_TIMEOUT_MS })));
      } finally {
        offers.invalidate();
      }
    },
    { after, types: [...JOB_EVENT_TYPES] },
  );
}
