/**
 * `devices.domain-admins`: the active administrators of each domain, in the order they
 * were made (collection `admins`, key `<domain>/<position>`), and where each one's entry
 * is (collection `by-id`, key: admin id), so a revocation takes it out. Never a token hash.
 * Who may act is decided on the admin's stream, not here: this list only shows.
 */
import { DomainAdmin, type Timestamp } from '../../../domain';
import type { Projection } from '../../projections/projection';
import { decodeEvent, DocTx, positionKey } from './doc-tx';

export const DOMAIN_ADMINS = 'devices.domain-admins';
export const ADMINS = 'admins';
const BY_ID = 'by-id';

export interface DomainAdminDoc {
  readonly id: string;
  readonly name: string;
  readonly createdAt: Timestamp;
}

export const domainAdminPrefix = (domain: string): string => `${domain}/`;

export const domainAdminsProjection: Projection = {
  name: DOMAIN_ADMINS,
  version: 1,
  eventTypes: DomainAdmin.Event.types,
  async apply(event, view) {
    const ev = decodeEvent(DomainAdmin.Event, event);
    if (!ev) return [];
    const tx = new DocTx(view);
    if (ev.type === 'DomainAdminCreated') {
      const key = `${domainAdminPrefix(ev.data.domain)}${positionKey(event.globalPosition)}`;
      const doc: DomainAdminDoc = { id: ev.data.adminId, name: ev.data.name, createdAt: ev.data.at };
      tx.put(ADMINS, key, doc);
      tx.put(BY_ID, ev.data.adminId, { key });
    } else {
      const entry = await tx.get<{ key: string }>(BY_ID, ev.data.adminId);
      if (entry) tx.remove(ADMINS, entry.key);
      tx.remove(BY_ID, ev.data.adminId);
    }
    return tx.changes();
  },
};
