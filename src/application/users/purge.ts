/**
 * Users' purge pass (docs/events.md, "Personal data and its deletion"), run by the Users
 * part every minute and by `zerotouch codes purge-expired`: for every stream the purge
 * index lists as due, the personal fields of its due events are purged
 * (`purgePersonalData`), then a purge record without personal data is appended to the
 * stream (`PhoneCodePurged`, `RolloutCodesPurged`, `UnassignedPhoneCodesPurged`), which is
 * what takes the stream out of the index and the digits out of the read models. A pass
 * stopped in between is finished by the next: the stream is still listed, and purging
 * again changes nothing.
 */
import * as E from 'fp-ts/Either';
import { Rollout, UnassignedPhone, UserDevice, isAtOrAfter, streamCategoryOf, type Digest, type Id, type Mac, type Timestamp } from '../../domain';
import { handle, load } from '../command-handler';
import { legacyPaths, withPersonal } from '../personal-data';
import type { EventStore, JsonObject, RecordedEvent } from '../ports/event-store';
import type { ProjectionWaiter } from '../ports/projection-waiter';
import { rollouts, unassignedPhones, userDevices } from './aggregates';
import { PHONES } from './projections/phones';
import { DUE, PURGE_INDEX, type DueDoc } from './projections/purge-index';
import { ROLLOUTS } from './projections/rollouts';
import { nowOf, type UsersDeps } from './users-deps';

const PAGE = 200;
/** the read models that hold personal data of these streams, and the index */
const PROJECTIONS = [PURGE_INDEX, PHONES, ROLLOUTS];
const WAIT_MS = 30_000;

export type UsersPurgeDeps = Pick<UsersDeps, 'events' | 'readModels' | 'clock' | 'random'> & { readonly projections: ProjectionWaiter };

export interface UsersPurgeResult {
  /** streams whose due personal data this pass purged */
  readonly streams: number;
}

const options = (deps: UsersPurgeDeps) => ({ random: deps.random, metadata: { actor: 'system' } });

/** the stream's events decoded whole by `codec`, with their ids */
async function decodedEvents<Ev>(events: EventStore, stream: string, decode: (stored: { type: string; data: unknown }) => E.Either<unknown, Ev>): Promise<Array<{ stored: RecordedEvent; event: Ev }>> {
  const read = await events.readStream(stream);
  return read.events.flatMap((stored) => {
    const decoded = decode(withPersonal(stored));
    return E.isRight(decoded) ? [{ stored, event: decoded.right }] : [];
  });
}

async function purgeUserDevice(deps: UsersPurgeDeps, stream: string, now: Timestamp): Promise<number | undefined> {
  const { state } = await load(deps.events, stream, userDevices);
  if (!UserDevice.isPurgeable(state, now) || state.status === 'none') return undefined;
  await deps.events.purgePersonalData(stream, { legacyPaths });
  const purged = await handle(deps.events, stream, userDevices, { type: 'PurgePhoneCode', codeHash: state.codeHash, now }, options(deps));
  return E.isRight(purged) ? purged.right.position : undefined;
}

async function purgeRollout(deps: UsersPurgeDeps, stream: string, now: Timestamp): Promise<number | undefined> {
  const due = (await decodedEvents(deps.events, stream, rollouts.decode)).filter(({ event }) => {
    const expiresAt = Rollout.digitsExpireAt(event);
    return expiresAt !== null && isAtOrAfter(now, expiresAt);
  });
  if (due.length === 0) return undefined;
  await deps.events.purgePersonalData(stream, { eventIds: due.map((d) => d.stored.id), legacyPaths });
  const codeHashes: Digest[] = due.flatMap(({ event }) => Rollout.codeHashesOf(event));
  const rolloutId = stream.slice(stream.indexOf('-') + 1) as Id;
  const purged = await handle(deps.events, stream, rollouts, { type: 'PurgeRolloutCodes', rolloutId, codeHashes, now }, options(deps));
  return E.isRight(purged) ? purged.right.position : undefined;
}

async function purgeUnassignedPhone(deps: UsersPurgeDeps, stream: string, now: Timestamp): Promise<number | undefined> {
  const due = (await decodedEvents(deps.events, stream, unassignedPhones.decode)).filter(({ event }) => UnassignedPhone.codeDue(event, now));
  if (due.length === 0) return undefined;
  await deps.events.purgePersonalData(stream, { eventIds: due.map((d) => d.stored.id), legacyPaths });
  const mac = stream.slice(stream.indexOf('-') + 1) as Mac;
  const purged = await handle(deps.events, stream, unassignedPhones, { type: 'PurgeUnassignedCodes', mac, now }, options(deps));
  return E.isRight(purged) ? purged.right.position : undefined;
}

const PURGES: Record<string, (deps: UsersPurgeDeps, stream: string, now: Timestamp) => Promise<number | undefined>> = {
  [UserDevice.streamCategory]: purgeUserDevice,
  [Rollout.streamCategory]: purgeRollout,
  [UnassignedPhone.streamCategory]: purgeUnassignedPhone,
};

const caughtUp = (deps: UsersPurgeDeps, position?: number): Promise<void> =>
  Promise.all(PROJECTIONS.map((name) => deps.projections.caughtUp({ name, position, timeoutMs: WAIT_MS }))).then(() => undefined);

/** One pass: purge what is due now; answers how many streams it purged. */
export async function purgeExpiredPersonalData(deps: UsersPurgeDeps): Promise<UsersPurgeResult> {
  await caughtUp(deps);
  const now = nowOf(deps.clock);
  let streams = 0;
  for (;;) {
    const page = await deps.readModels.list<DueDoc & JsonObject>(PURGE_INDEX, DUE, { limit: PAGE });
    const due = [...new Set(page.filter(({ doc }) => isAtOrAfter(now, doc.dueAt as Timestamp)).map(({ doc }) => doc.stream))];
    let last: number | undefined;
    for (const stream of due) {
      const purge = PURGES[streamCategoryOf(stream)];
      const position = purge ? await purge(deps, stream, now) : undefined;
      if (position !== undefined) {
        streams++;
        last = Math.max(last ?? 0, position);
      }
    }
    // nothing new purged: what is left waits for the read models, or for the next pass
    if (last === undefined) break;
    await caughtUp(deps, last);
    if (page.length < PAGE) break;
  }
  await deps.events.eraseDeleted();
  return { streams };
}
