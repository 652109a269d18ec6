/** `GET /outbox` (SPEC §5.3): the notices not acknowledged yet, of one domain or all, in the order they are sent. */
import type { JsonObject } from '../ports/event-store';
import type { DevicesDeps } from './deps';
import { listDomain, type AdminScope } from './admin-scope';
import { readIndex, type Page, type PageRequest } from './paging';
import { ALL, OUTBOX, PENDING, pendingPrefix, SIZE, type PendingDoc, type Push, type SizeDoc } from './projections/outbox';

export interface OutboxEntry extends Omit<Push, 'mt'> {
  readonly domain: string;
}

export const listOutbox = async (deps: Pick<DevicesDeps, 'readModels'>, scope: AdminScope, requested: string | undefined, page: PageRequest): Promise<Page<OutboxEntry>> => {
  const domain = listDomain(scope, requested);
  if (domain === null) return { items: [], next: undefined };
  const index = await readIndex<PendingDoc & JsonObject>(deps.readModels, OUTBOX, PENDING, domain === undefined ? '' : pendingPrefix(domain), page);
  return {
    items: index.items.map(({ doc: { domain: d, push } }) => ({ domain: d, id: push.id, mac: push.mac, code: push.code, model: push.model, at: push.at })),
    next: index.next,
  };
};

/** how many notices wait, over every domain */
export const outboxSize = async (deps: Pick<DevicesDeps, 'readModels'>): Promise<number> =>
  (await deps.readModels.get<SizeDoc & JsonObject>(OUTBOX, SIZE, ALL))?.pending ?? 0;
