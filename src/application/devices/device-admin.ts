/**
 * What the admin does to phones (SPEC §5.3, §5.4): pre-claim MACs for a domain and
 * category (checked here first, then forwarded to the Redirector, then recorded, so a
 * refusal anywhere appends nothing), approve a pre-claimed phone that asked to be
 * provisioned (which raises its `PhoneProvisioned` notice), and release a phone so any
 * domain may provision it again.
 */
import * as E from 'fp-ts/Either';
import { Device, Tenant, parseId, type CategoryId, type DomainName, type Mac } from '../../domain';
import { handle, load } from '../command-handler';
import { actorOf, sees, visibleOr, type AdminScope } from './admin-scope';
import { deviceAggregate } from './aggregates';
import { awaitOwnWrite, metadataOf, nowOf, type DevicesDeps } from './deps';
import { loadDomain } from './domains';
import { DEVICE_LIST } from './projections/device-list';
import { OUTBOX } from './projections/outbox';
import { orRefuse, Refusal } from '../refusal';

const options = (deps: Pick<DevicesDeps, 'random'>, scope: AdminScope) => ({ random: deps.random, metadata: metadataOf(actorOf(scope)) });

/** a phone of a domain the caller may not see is refused as one that does not exist */
const refuseUnseen = async (deps: Pick<DevicesDeps, 'events'>, scope: AdminScope, mac: Mac, command: Device.Command): Promise<void> => {
  if (scope.kind === 'global') return;
  const { state } = await load(deps.events, Device.streamName(mac), deviceAggregate);
  if (state.status === 'unknown' || !sees(scope, state.domain)) orRefuse(Device.decide(command, Device.initialState));
};

export interface Claimed {
  /** MACs now claimed for the domain and category */
  readonly claimed: number;
  /** what the Redirector counted */
  readonly redirector: number;
}

export const claimDevices = async (deps: DevicesDeps, scope: AdminScope, macs: readonly Mac[], domain: DomainName, category: CategoryId): Promise<Claimed> => {
  const unique = [...new Set(macs)];
  const domainState = visibleOr(scope, domain, await loadDomain(deps, domain), Tenant.initialState);
  const command = (mac: Mac): Device.Command => ({ type: 'ClaimDevice', mac, domain, category, domainState, now: nowOf(deps.clock) });
  const refused: string[] = [];
  for (const mac of unique) {
    const decision = Device.decide(command(mac), (await load(deps.events, Device.streamName(mac), deviceAggregate)).state);
    if (E.isLeft(decision)) {
      if (decision.left.code !== 'device-owned-by-other-domain' && decision.left.code !== 'conflict') throw new Refusal(decision.left.code, decision.left.detail);
      refused.push(mac);
    }
  }
  if (refused.length > 0) {
    throw new Refusal('conflict', `these phones belong to, or are claimed by, another domain: ${refused.slice(0, 20).join(', ')}${refused.length > 20 ? ', …' : ''}`);
  }
  const redirector = await deps.redirector.claimMacs(unique);
  let position: number | undefined;
  for (const mac of unique) {
    const claimed = orRefuse(await handle(deps.events, Device.streamName(mac), deviceAggregate, command(mac), options(deps, scope)));
    position = claimed.position ?? position;
  }
  await awaitOwnWrite(deps, DEVICE_LIST, position);
  return { claimed: unique.length, redirector };
};

export const approveDevice = async (deps: DevicesDeps, scope: AdminScope, mac: Mac): Promise<void> => {
  const noticeId = orRefuse(parseId(deps.random.uuid()));
  const command: Device.Command = { type: 'ApproveDevice', mac, noticeId, now: nowOf(deps.clock) };
  await refuseUnseen(deps, scope, mac, command);
  const approved = orRefuse(await handle(deps.events, Device.streamName(mac), deviceAggregate, command, options(deps, scope)));
  await Promise.all([awaitOwnWrite(deps, DEVICE_LIST, approved), awaitOwnWrite(deps, OUTBOX, approved)]);
};

export const releaseDevice = async (deps: DevicesDeps, scope: AdminScope, mac: Mac): Promise<void> => {
  // the decider checks the domain too, so a phone that moved meanwhile is not released from under its new domain
  const command: Device.Command = { type: 'ReleaseDevice', mac, domain: scope.kind === 'domain' ? scope.domain : null, now: nowOf(deps.clock) };
  await refuseUnseen(deps, scope, mac, command);
  const released = orRefuse(await handle(deps.events, Device.streamName(mac), deviceAggregate, command, options(deps, scope)));
  await awaitOwnWrite(deps, DEVICE_LIST, released);
};
