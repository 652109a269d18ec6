/**
 * `users-purge`: which of Users' streams hold personal data that is due for its purge, and
 * when (collection `due`, key `<dueAt>/<stream>`, in time order; `streams` by stream name
 * lists the due times of a stream). An event that holds digits puts its stream in at the
 * time they may go: a code asked for (`PhoneCodeRequested`) and a rollout's codes at their
 * expiry, an unassigned phone's code `CODE_KEPT_DAYS` after its notice. A stream's purge
 * record (`PhoneCodePurged`, `RolloutCodesPurged`, `UnassignedPhoneCodesPurged`) takes out
 * every due time of it up to the record's `at`. Events already purged (nulls) put nothing
 * in, so a rebuild ends alike.
 */
import { Rollout, UnassignedPhone, type Timestamp } from '../../../domain';
import type { DocChange } from '../../ports/read-model-store';
import { put, remove, type Projection } from '../../projections/projection';
import { decodeRecorded } from './decode';

export const PURGE_INDEX = 'users-purge';
export const DUE = 'due';
export const STREAMS = 'streams';

export interface DueDoc {
  readonly stream: string;
  readonly dueAt: string;
  readonly [key: string]: string;
}

interface StreamDoc {
  readonly dueAts: string[];
  readonly [key: string]: string[];
}

export const dueKey = (dueAt: string, stream: string): string => `${dueAt}/${stream}`;

/** when the digits of this event may go, or null when it holds none (any more) */
const dueAtOf = (event: ReturnType<typeof decodeRecorded>): Timestamp | null => {
  switch (event.type) {
    case 'PhoneCodeRequested':
      return event.data.code !== null || event.data.userId !== null ? event.data.expiresAt : null;
    case 'RolloutStarted':
      return event.data.entries.some((e) => e.code !== null) ? Rollout.digitsExpireAt(event) : null;
    case 'RolloutCodeReissued':
      return event.data.code !== null ? event.data.expiresAt : null;
    case 'UnassignedPhoneRecorded':
      return UnassignedPhone.codeExpiresBy(event);
    default:
      return null;
  }
};

export const purgeIndexProjection: Projection = {
  name: PURGE_INDEX,
  version: 1,
  eventTypes: [
    'PhoneCodeRequested',
    'RolloutStarted',
    'RolloutCodeReissued',
    'UnassignedPhoneRecorded',
    'PhoneCodePurged',
    'RolloutCodesPurged',
    'UnassignedPhoneCodesPurged',
  ],
  async apply(recorded, view) {
    const event = decodeRecorded(recorded);
    const stream = recorded.streamName;
    const known: readonly string[] = (await view.get<StreamDoc>(STREAMS, stream))?.dueAts ?? [];
    if (event.type === 'PhoneCodePurged' || event.type === 'RolloutCodesPurged' || event.type === 'UnassignedPhoneCodesPurged') {
      const done = known.filter((dueAt) => dueAt <= event.data.at);
      if (done.length === 0) return [];
      const left = known.filter((dueAt) => dueAt > event.data.at);
      const changes: DocChange[] = done.map((dueAt) => remove(DUE, dueKey(dueAt, stream)));
      changes.push(left.length === 0 ? remove(STREAMS, stream) : put(STREAMS, stream, { dueAts: left }));
      return changes;
    }
    const dueAt = dueAtOf(event);
    if (dueAt === null || known.includes(dueAt)) return [];
    const doc: DueDoc = { stream, dueAt };
    return [put(DUE, dueKey(dueAt, stream), doc), put(STREAMS, stream, { dueAts: [...known, dueAt].sort() })];
  },
};
