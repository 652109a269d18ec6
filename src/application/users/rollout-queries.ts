/** Reads of `users-rollouts`: a rollout with the state of each entry at the clock's now. */
import type { Clock } from '../ports/clock';
import type { ReadModelStore } from '../ports/read-model-store';
import type { Rollout } from '../../domain';
import { userNames } from './directory-queries';
import { stateAt } from './phone-queries';
import { entryKey, ROLLOUTS, type EntryDoc, type RolloutDoc } from './projections/rollouts';

type Deps = { readonly readModels: ReadModelStore; readonly clock: Clock };

export interface RolloutEntryStatus {
  readonly user: string;
  /** the user's name in the directory (null if the user is not in the read model) */
  readonly name: string | null;
  /** null once the code expired and its digits were purged */
  readonly code: string | null;
  readonly expiresAt: string;
  readonly state: Rollout.EntryState;
  readonly mac: string | null;
}

export interface RolloutStatus {
  readonly rolloutId: string;
  readonly category: string;
  readonly phoneApp: string;
  readonly startedAt: string;
  /** in the order the users were given */
  readonly entries: readonly RolloutEntryStatus[];
}

export async function getRollout(deps: Deps, rolloutId: string): Promise<RolloutStatus | undefined> {
  const rollout = await deps.readModels.get<RolloutDoc>(ROLLOUTS, 'rollouts', rolloutId);
  if (rollout === undefined) return undefined;
  const docs = await deps.readModels.list<EntryDoc>(ROLLOUTS, 'entries', { prefix: entryKey(rolloutId, ''), limit: rollout.size });
  const entries = docs.map((d) => d.doc).sort((a, b) => a.order - b.order);
  const names = await userNames(deps.readModels, entries.map((e) => e.user));
  return {
    rolloutId: rollout.rolloutId,
    category: rollout.category,
    phoneApp: rollout.phoneApp,
    startedAt: rollout.startedAt,
    entries: entries.map((e) => ({
      user: e.user,
      name: names.get(e.user) ?? null,
      code: e.code,
      expiresAt: e.expiresAt,
      state: stateAt(e, deps.clock),
      mac: e.mac,
    })),
  };
}

export interface RolloutSummary {
  readonly rolloutId: string;
  readonly category: string;
  readonly phoneApp: string;
  readonly startedAt: string;
  readonly users: number;
  readonly pending: number;
  readonly registered: number;
  readonly expired: number;
}

export interface RolloutPage {
  readonly rollouts: readonly RolloutSummary[];
  /** the cursor of the next (older) page, when there may be one */
  readonly next: string | null;
}

/** at most this many rollouts on one page: each is counted from its entries */
export const MAX_ROLLOUT_PAGE = 100;

/**
 * The past rollouts, newest first, each with how many of its users are pending,
 * registered or expired at the clock's now. A page reads the entries of the rollouts on
 * it (a rollout holds at most 10,000), hence the small page.
 */
export async function listRollouts(deps: Deps, page: { readonly limit?: number; readonly cursor?: string }): Promise<RolloutPage> {
  const limit = Math.min(Math.max(1, page.limit ?? 20), MAX_ROLLOUT_PAGE);
  const started = await deps.readModels.list<{ rolloutId: string }>(ROLLOUTS, 'started', { reverse: true, limit, ...(page.cursor ? { afterKey: page.cursor } : {}) });
  const docs = await deps.readModels.getMany<RolloutDoc>(ROLLOUTS, 'rollouts', started.map((s) => s.doc.rolloutId));
  const rollouts = await Promise.all(
    started.flatMap(({ doc: { rolloutId } }) => {
      const rollout = docs.get(rolloutId);
      if (rollout === undefined) return [];
      return [
        (async (): Promise<RolloutSummary> => {
          const entries = await deps.readModels.list<EntryDoc>(ROLLOUTS, 'entries', { prefix: entryKey(rolloutId, ''), limit: Math.max(1, rollout.size) });
          const counts = { pending: 0, registered: 0, expired: 0 };
          for (const { doc } of entries) counts[stateAt(doc, deps.clock)] += 1;
          return { rolloutId, category: rollout.category, phoneApp: rollout.phoneApp, startedAt: rollout.startedAt, users: rollout.size, ...counts };
        })(),
      ];
    }),
  );
  return { rollouts, next: started.length === limit ? started[started.length - 1]!.key : null };
}
