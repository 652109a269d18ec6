/**
 * `users-rollouts`: the status of each rollout (SPEC §7 "rollout status").
 * - `rollouts` by rollout id: `{rolloutId, category, phoneApp, startedAt, size}`
 * - `entries` by `<rolloutId>/<userId>`: `{user, order, codeHash, code, expiresAt, mac, registeredAt}`
 *   (`order`: the place of the user in the rollout as started; `code` null once purged)
 * - `started` by the log position of `RolloutStarted` (16 digits): `{rolloutId}`, so the
 *   past rollouts list newest first
 */
import { put, type Projection } from '../../projections/projection';
import { decodeRecorded } from './decode';

export const ROLLOUTS = 'users-rollouts';

export interface RolloutDoc {
  readonly rolloutId: string;
  readonly category: string;
  readonly phoneApp: string;
  readonly startedAt: string;
  readonly size: number;
  readonly [key: string]: string | number;
}

export interface EntryDoc {
  readonly user: string;
  readonly order: number;
  readonly codeHash: string;
  /** the digits, null once the code expired and was purged */
  readonly code: string | null;
  readonly expiresAt: string;
  readonly mac: string | null;
  readonly registeredAt: string | null;
  readonly [key: string]: string | number | null;
}

export const entryKey = (rolloutId: string, userId: string): string => `${rolloutId}/${userId}`;

/** keys of `started`: log positions, fixed width, so they sort in the order of the log */
export const startedKey = (position: number): string => String(position).padStart(16, '0');

export const rolloutsProjection: Projection = {
  name: ROLLOUTS,
  version: 3,
  eventTypes: ['RolloutStarted', 'RolloutEntryRegistered', 'RolloutCodeReissued', 'RolloutCodesPurged'],
  async apply(recorded, view) {
    const event = decodeRecorded(recorded);
    switch (event.type) {
      case 'RolloutStarted': {
        const { rolloutId, category, phoneAppId, entries, at } = event.data;
        const rollout: RolloutDoc = { rolloutId, category, phoneApp: phoneAppId, startedAt: at, size: entries.length };
        return [
          put('rollouts', rolloutId, rollout),
          put('started', startedKey(recorded.globalPosition), { rolloutId }),
          ...entries.map((e, order) => {
            const doc: EntryDoc = { user: e.userId, order, codeHash: e.codeHash, code: e.code, expiresAt: e.expiresAt, mac: null, registeredAt: null };
            return put('entries', entryKey(rolloutId, e.userId), doc);
          }),
        ];
      }
      case 'RolloutEntryRegistered': {
        const key = entryKey(event.data.rolloutId, event.data.userId);
        const entry = await view.get<EntryDoc>('entries', key);
        return entry === undefined ? [] : [put('entries', key, { ...entry, mac: event.data.mac, registeredAt: event.data.at })];
      }
      case 'RolloutCodeReissued': {
        const key = entryKey(event.data.rolloutId, event.data.userId);
        const entry = await view.get<EntryDoc>('entries', key);
        const { codeHash, code, expiresAt } = event.data;
        return entry === undefined ? [] : [put('entries', key, { ...entry, codeHash, code, expiresAt })];
      }
      case 'RolloutCodesPurged': {
        const changes = [];
        for (const { userId, codeHash } of event.data.codes) {
          const key = entryKey(event.data.rolloutId, userId);
          const entry = await view.get<EntryDoc>('entries', key);
          if (entry !== undefined && entry.codeHash === codeHash && entry.code !== null) changes.push(put('entries', key, { ...entry, code: null }));
        }
        return changes;
      }
      default:
        return [];
    }
  },
};
