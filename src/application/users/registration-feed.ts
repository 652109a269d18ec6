/**
 * Live pushes to connected Profile and UsersAdmin sessions, driven by the event log (so a
 * session sees a registration whichever process recorded it): `PhoneRegistered` to the
 * user's Profile sessions, `RolloutEntryUpdated` to admin sessions.
 */
import type { EventStore, RecordedEvent, Subscription } from '../ports/event-store';
import { decodeRecorded } from './projections/decode';
import type { OwnWrite } from '../own-write';

export interface RolloutEntryUpdate {
  readonly rolloutId: string;
  readonly user: string;
  readonly state: 'pending' | 'registered';
  readonly mac: string | null;
  /** with a reissued code: the new code and its expiry */
  readonly code?: string;
  readonly expiresAt?: string;
}

/** Where pushes go: the sessions connected to this process. */
export interface UsersNotifier {
  phoneRegistered(userId: string, push: { readonly mac: string; readonly code: string | null }): void;
  rolloutEntryUpdated(update: RolloutEntryUpdate): void;
}

const TYPES = new Set(['PhoneRegistered', 'UnassignedPhoneAssigned', 'RolloutEntryRegistered', 'RolloutCodeReissued']);

function notify(notifier: UsersNotifier, recorded: RecordedEvent): void {
  const event = decodeRecorded(recorded);
  switch (event.type) {
    case 'PhoneRegistered':
      return notifier.phoneRegistered(event.data.userId, { mac: event.data.mac, code: event.data.code });
    case 'UnassignedPhoneAssigned':
      return notifier.phoneRegistered(event.data.userId, { mac: event.data.mac, code: null });
    case 'RolloutEntryRegistered': {
      const { rolloutId, userId, mac } = event.data;
      return notifier.rolloutEntryUpdated({ rolloutId, user: userId, state: 'registered', mac });
    }
    case 'RolloutCodeReissued': {
      const { rolloutId, userId, code, expiresAt } = event.data;
      return notifier.rolloutEntryUpdated({ rolloutId, user: userId, state: 'pending', mac: null, ...(code === null ? {} : { code }), expiresAt });
    }
    default:
      return;
  }
}

/**
 * Follow the log from its head now; every later registration is pushed, once the read
 * models include it (`settle`), so a client that reads after a push sees what it was told.
 */
export async function followRegistrations(events: EventStore, notifier: UsersNotifier, settle: (written: OwnWrite) => Promise<void>): Promise<Subscription> {
  const after = await events.headPosition();
  return events.subscribeAll(
    async (pushed) => {
      await settle({ position: pushed[pushed.length - 1]!.globalPosition, events: pushed });
      for (const event of pushed) notify(notifier, event);
    },
    { after, types: [...TYPES] },
  );
}
