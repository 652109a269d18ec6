/**
 * `PhoneProvisionedAck` (SPEC §5.2): a Users of the notice's domain acknowledges it; the
 * acknowledgement is an event of the device, and the notice leaves the outbox. A second
 * acknowledgement changes nothing; an id this domain never got is `not-found`.
 */
import { Device, type DomainName, type Id } from '../../domain';
import { handle } from '../command-handler';
import type { JsonObject } from '../ports/event-store';
import { deviceAggregate } from './aggregates';
import { awaitOwnWrite, metadataOf, nowOf, type DevicesDeps } from './deps';
import { NOTICES, OUTBOX, type NoticeDoc } from './projections/outbox';
import { orRefuse, Refusal } from '../refusal';

/** answers whether this acknowledgement was the first */
export const acknowledgeNotice = async (deps: DevicesDeps, domain: DomainName, noticeId: Id): Promise<boolean> => {
  const notice = await deps.readModels.get<NoticeDoc & JsonObject>(OUTBOX, NOTICES, noticeId);
  if (notice === undefined || notice.domain !== domain) throw new Refusal('not-found', `no PhoneProvisioned notice ${noticeId} for ${domain}`);
  const mac = notice.mac as Device.Known['mac'];
  const handled = orRefuse(
    await handle(deps.events, Device.streamName(mac), deviceAggregate, { type: 'AcknowledgeNotice', mac, domain, noticeId, now: nowOf(deps.clock) }, {
      random: deps.random,
      metadata: metadataOf(`users:${domain}`),
    }),
  );
  await awaitOwnWrite(deps, OUTBOX, handled);
  return handled.events.length > 0;
};
