/** Reads of `users-phones`: a user's codes and phones, and the phones nobody owns yet. */
import * as E from 'fp-ts/Either';
import { parseTimestamp, Rollout } from '../../domain';
import type { Clock } from '../ports/clock';
import type { ReadModelStore } from '../ports/read-model-store';
import { getUser } from './directory-queries';
import { PHONES, userKey, type CodeDoc, type DeviceDoc, type UnassignedDoc } from './projections/phones';
import { nowOf } from './users-deps';

export interface CodeView {
  readonly code: string;
  readonly category: string;
  readonly expiresAt: string;
  readonly state: Rollout.EntryState;
}

export interface DeviceView {
  readonly mac: string;
  readonly model: string;
  readonly category: string | null;
  readonly registeredAt: string;
}

export interface UserPhones {
  readonly codes: readonly CodeView[];
  readonly devices: readonly DeviceView[];
}

const ALL = 10_000;

const deviceView = (d: DeviceDoc): DeviceView => ({ mac: d.mac, model: d.model, category: d.category, registeredAt: d.registeredAt });

/** A code (or rollout entry) as read at the clock's now: pending, registered or expired. */
export const stateAt = (doc: { readonly mac: string | null; readonly expiresAt: string }, clock: Clock): Rollout.EntryState => {
  if (doc.mac !== null) return 'registered';
  const expiresAt = parseTimestamp(doc.expiresAt);
  if (E.isLeft(expiresAt)) throw new Error(`a stored expiry is no timestamp: ${expiresAt.left.detail}`);
  return Rollout.entryState({ mac: null, expiresAt: expiresAt.right }, nowOf(clock));
};

async function devicesOf(readModels: ReadModelStore, userId: string): Promise<DeviceView[]> {
  const docs = await readModels.list<DeviceDoc>(PHONES, 'devices', { prefix: userKey(userId, ''), limit: ALL });
  return docs.map((d) => deviceView(d.doc)).sort((a, b) => a.registeredAt.localeCompare(b.registeredAt));
}

/** Profile's GetPhones: the user's codes (newest first) with their state, and the user's phones. */
export async function userPhones(deps: { readonly readModels: ReadModelStore; readonly clock: Clock }, userId: string): Promise<UserPhones> {
  const codes = await deps.readModels.list<CodeDoc>(PHONES, 'codes', { prefix: userKey(userId, ''), limit: ALL });
  return {
    codes: codes
      .map((c) => c.doc)
      .sort((a, b) => b.requestedAt.localeCompare(a.requestedAt))
      // (a code leaves the list at its purge; one without digits is not shown meanwhile)
      .flatMap((doc) => (doc.code === null ? [] : [{ code: doc.code, category: doc.category, expiresAt: doc.expiresAt, state: stateAt(doc, deps.clock) }])),
    devices: await devicesOf(deps.readModels, userId),
  };
}

/** The phones of a user, or undefined when there is no such user. */
export async function userDevices(readModels: ReadModelStore, userId: string): Promise<DeviceView[] | undefined> {
  if ((await getUser(readModels, userId)) === undefined) return undefined;
  return devicesOf(readModels, userId);
}

export async function unassignedPhones(readModels: ReadModelStore): Promise<UnassignedDoc[]> {
  const docs = await readModels.list<UnassignedDoc>(PHONES, 'unassigned', { limit: ALL });
  return docs.map((d) => d.doc);
}
