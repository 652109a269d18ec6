/** Reads of `users-rollouts`: a rollout with the state of each entry at the clock's now. */
import type { Clock } from '../ports/clock';
import type { ReadModelStore } from '../ports/read-model-store';
import type { Rollout } from '../../domain';
import { userNames } from './directory-queries';
import { stateAt } from './phone-queries';
import { entryKey, ROLLOUTS, type EntryDoc, type RolloutDoc } from './projections/rollouts';

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

export async function getRollout(deps: { readonly readModels: ReadModelStore; readonly clock: Clock }, rolloutId: string): Promise<RolloutStatus | undefined> {
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
