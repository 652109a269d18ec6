/**
 * `devices.domains`: every domain, by name (collection `domains`, key: the domain name),
 * for the admin's list of domains. The domain's categories are read from its stream.
 */
import { Tenant, type Timestamp } from '../../../domain';
import type { Projection } from '../../projections/projection';
import { decodeEvent } from './doc-tx';

export const DOMAINS = 'devices.domains';
export const DOMAIN_LIST = 'domains';

export interface DomainDoc {
  readonly name: string;
  readonly createdAt: Timestamp;
}

export const domainsProjection: Projection = {
  name: DOMAINS,
  version: 1,
  eventTypes: ['DomainCreated'],
  async apply(event) {
    const ev = decodeEvent(Tenant.Event, event);
    if (ev?.type !== 'DomainCreated') return [];
    const doc: DomainDoc = { name: ev.data.domain, createdAt: ev.data.at };
    return [{ collection: DOMAIN_LIST, key: ev.data.domain, doc: { ...doc } }];
  },
};
