/**
 * Registering a Devices installation (operator, or another part's composition in-process):
 * reserve its URL on the URL's own stream, then register the installation with the hash
 * of a fresh API key; the key itself is answered once and kept nowhere. (The composition
 * may pass how the key is made: Devices' key at its own Redirector is derived from the
 * server secret, so every node of one database knows it without storing it.)
 *
 * A registration that stopped between the two steps (a crash) left its URL reserved for
 * an installation that never registered. The next registration of that URL finishes it:
 * it registers the reserved id with its own name and key. Two registrations racing for one
 * URL thus end with exactly one registered installation and one key; the other is refused
 * with `conflict`, decided on the installation's stream.
 */
import * as E from 'fp-ts/Either';
import { DevicesUrlReservation, Installation, parseDevicesUrl, parseDisplayName, parseId, type Id } from '../../domain';
import { handle, load } from '../command-handler';
import { orRefuse, Refusal, refusalOf } from '../refusal';
import { devicesUrlReservation, installation } from './aggregates';
import { metadataOf, nowOf, type RedirectorDeps } from './deps';
import { apiKeyHashOf, newApiKey } from './secrets';

export interface NewInstallation {
  /** a name for people, 1 to 200 characters */
  readonly name: string;
  /** the base URL of the Devices service (its ZT_PUBLIC_URL) */
  readonly devicesUrl: string;
}

export interface RegisteredInstallation {
  readonly installationId: Id;
  /** shown once: only its keyed hash is stored */
  readonly apiKey: string;
}

const urlTaken = (): Refusal => new Refusal('conflict', 'another installation is registered for this Devices URL');

export async function registerInstallation(
  deps: Pick<RedirectorDeps, 'events' | 'clock' | 'random' | 'secrets'>,
  input: NewInstallation,
  makeApiKey: (installationId: Id) => string = (id) => newApiKey(deps.random, id),
): Promise<RegisteredInstallation> {
  const name = orRefuse(parseDisplayName(input.name, 'an installation name'));
  const devicesUrl = orRefuse(parseDevicesUrl(input.devicesUrl));
  const drawnId = orRefuse(parseId(deps.random.uuid()));
  const options = { random: deps.random, metadata: metadataOf('operator') };
  const now = nowOf(deps.clock);

  const urlStream = DevicesUrlReservation.streamName(devicesUrl);
  const reserved = await handle(deps.events, urlStream, devicesUrlReservation, { type: 'ReserveDevicesUrl', devicesUrl, installationId: drawnId, now }, options);
  let installationId = drawnId;
  if (E.isLeft(reserved)) {
    if (reserved.left.code !== 'conflict') throw refusalOf(reserved.left);
    const reservation = (await load(deps.events, urlStream, devicesUrlReservation)).state;
    if (reservation.status !== 'reserved') throw urlTaken();
    const holder = await load(deps.events, Installation.streamName(reservation.installationId), installation);
    if (holder.state.status !== 'none') throw urlTaken();
    installationId = reservation.installationId;
  }

  const apiKey = makeApiKey(installationId);
  const registered = await handle(
    deps.events,
    Installation.streamName(installationId),
    installation,
    { type: 'RegisterInstallation', installationId, name, devicesUrl, apiKeyHash: apiKeyHashOf(deps.secrets, apiKey), now },
    options,
  );
  if (E.isLeft(registered)) throw registered.left.code === 'conflict' ? urlTaken() : refusalOf(registered.left);
  return { installationId, apiKey };
}

/** A new API key for an installation; the old one stops working at once. */
export async function rotateApiKey(
  deps: Pick<RedirectorDeps, 'events' | 'clock' | 'random' | 'secrets'>,
  installationId: Id,
  makeApiKey: (installationId: Id) => string = (id) => newApiKey(deps.random, id),
): Promise<{ readonly apiKey: string }> {
  const apiKey = makeApiKey(installationId);
  const rotated = await handle(
    deps.events,
    Installation.streamName(installationId),
    installation,
    { type: 'RotateApiKey', installationId, apiKeyHash: apiKeyHashOf(deps.secrets, apiKey), now: nowOf(deps.clock) },
    { random: deps.random, metadata: metadataOf('operator') },
  );
  orRefuse(rotated);
  return { apiKey };
}

/** The installation registered for a Devices URL, if any (from the URL's reservation stream). */
export async function installationForDevicesUrl(deps: Pick<RedirectorDeps, 'events'>, devicesUrl: string): Promise<Id | undefined> {
  const url = parseDevicesUrl(devicesUrl);
  if (E.isLeft(url)) return undefined;
  const reservation = (await load(deps.events, DevicesUrlReservation.streamName(url.right), devicesUrlReservation)).state;
  if (reservation.status !== 'reserved') return undefined;
  const holder = await load(deps.events, Installation.streamName(reservation.installationId), installation);
  return holder.state.status === 'registered' ? reservation.installationId : undefined;
}
