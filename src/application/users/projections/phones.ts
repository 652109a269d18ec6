/**
 * `users-phones`: what each user asked for and what came up.
 * - `codes` by `<userId>/<codeHash>`: a code asked for the user, and the phone it became
 * - `devices` by `<userId>/<mac>`: the user's phones (a phone that came up again with
 *   another user's code moves to that user)
 * - `owners` by MAC: `{userId}`, the user a phone belongs to
 * - `unassigned` by MAC: phones Users could not place (kept for an admin to assign)
 * - `requests` by code hash: `{userId}`, the user a code was asked for, until its purge
 *
 * At a code's purge (`PhoneCodePurged`) its `codes` entry goes (a code that became a
 * phone stays in `devices`, without its digits); an unassigned phone loses its code at
 * `UnassignedPhoneCodesPurged`. A rebuild reads the purged events' nulls and ends alike.
 */
import { isAtOrAfter, UnassignedPhone, type Timestamp } from '../../../domain';
import type { DocChange } from '../../ports/read-model-store';
import { put, remove, type Projection, type ReadModelView } from '../../projections/projection';
import { decodeRecorded } from './decode';

export const PHONES = 'users-phones';

export interface CodeDoc {
  /** the digits (a code's entry goes at its purge) */
  readonly code: string | null;
  readonly category: string;
  readonly expiresAt: string;
  readonly rolloutId: string | null;
  readonly requestedAt: string;
  readonly mac: string | null;
  readonly model: string | null;
  readonly registeredAt: string | null;
  readonly [key: string]: string | null;
}

export interface DeviceDoc {
  readonly mac: string;
  readonly model: string;
  /** null for a phone an admin assigned (it came without a code of this Users) */
  readonly category: string | null;
  readonly code: string | null;
  readonly registeredAt: string;
  readonly [key: string]: string | null;
}

export interface UnassignedDoc {
  readonly mac: string;
  readonly model: string;
  readonly code: string | null;
  readonly reason: string;
  readonly noticeId: string;
  readonly at: string;
  readonly [key: string]: string | null;
}

export const userKey = (userId: string, id: string): string => `${userId}/${id}`;

/** The phone now belongs to `userId`: drop it from its previous owner's list. */
async function ownPhone(view: ReadModelView, userId: string, device: DeviceDoc): Promise<DocChange[]> {
  const owner = await view.get<{ userId: string }>('owners', device.mac);
  return [
    ...(owner !== undefined && owner.userId !== userId ? [remove('devices', userKey(owner.userId, device.mac))] : []),
    put('devices', userKey(userId, device.mac), device),
    put('owners', device.mac, { userId }),
  ];
}

export const phonesProjection: Projection = {
  name: PHONES,
  version: 2,
  eventTypes: ['PhoneCodeRequested', 'PhoneRegistered', 'PhoneCodePurged', 'UnassignedPhoneRecorded', 'UnassignedPhoneAssigned', 'UnassignedPhoneCodesPurged'],
  async apply(recorded, view) {
    const event = decodeRecorded(recorded);
    switch (event.type) {
      case 'PhoneCodeRequested': {
        const { userId, codeHash, code, category, expiresAt, rolloutId, at } = event.data;
        if (userId === null) return []; // purged: the code expired without a phone
        const doc: CodeDoc = { code, category, expiresAt, rolloutId, requestedAt: at, mac: null, model: null, registeredAt: null };
        return [put('codes', userKey(userId, codeHash), doc), put('requests', codeHash, { userId })];
      }
      case 'PhoneCodePurged': {
        const request = await view.get<{ userId: string }>('requests', event.data.codeHash);
        if (request === undefined) return [];
        const key = userKey(request.userId, event.data.codeHash);
        const requested = await view.get<CodeDoc>('codes', key);
        const changes: DocChange[] = [remove('codes', key), remove('requests', event.data.codeHash)];
        if (requested?.mac) {
          const device = await view.get<DeviceDoc>('devices', userKey(request.userId, requested.mac));
          if (device !== undefined && device.code !== null && device.code === requested.code) changes.push(put('devices', userKey(request.userId, requested.mac), { ...device, code: null }));
        }
        return changes;
      }
      case 'PhoneRegistered': {
        const { userId, codeHash, code, category, mac, model, at } = event.data;
        const key = userKey(userId, codeHash);
        const requested = await view.get<CodeDoc>('codes', key);
        const changes: DocChange[] = requested === undefined ? [] : [put('codes', key, { ...requested, mac, model, registeredAt: at })];
        return [...changes, ...(await ownPhone(view, userId, { mac, model, category, code, registeredAt: at }))];
      }
      case 'UnassignedPhoneRecorded': {
        const { mac, model, code, reason, noticeId, at } = event.data;
        const doc: UnassignedDoc = { mac, model, code, reason, noticeId, at };
        return [put('unassigned', mac, doc)];
      }
      case 'UnassignedPhoneCodesPurged': {
        const doc = await view.get<UnassignedDoc>('unassigned', event.data.mac);
        if (doc === undefined || doc.code === null || !isAtOrAfter(event.data.at, UnassignedPhone.codeDueAt(doc.at as Timestamp))) return [];
        return [put('unassigned', doc.mac, { ...doc, code: null })];
      }
      case 'UnassignedPhoneAssigned': {
        const { mac, model, userId, at } = event.data;
        return [remove('unassigned', mac), ...(await ownPhone(view, userId, { mac, model, category: null, code: null, registeredAt: at }))];
      }
      default:
        return [];
    }
  },
};
