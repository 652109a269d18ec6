/**
 * A `PhoneProvisioned` notice from Devices, recorded (SPEC §2 step 6): the phone becomes a
 * device of the user who asked for its code, and the rollout entry of that code (if any)
 * becomes Registered; a notice Users cannot place is kept as an unassigned phone.
 *
 * Exactly once: every step is a command decided on its stream, and a repeated notice (the
 * same MAC for the same code, the same notice id) decides to write nothing. So a notice
 * processed but not yet acknowledged when the process stops is simply processed again
 * when Devices sends it again.
 */
import * as E from 'fp-ts/Either';
import { Rollout, routeNotice, UnassignedPhone, UserDevice, type DomainError } from '../../domain';
import { handle, load, type HandleOptions } from '../command-handler';
import { rollouts, unassignedPhones, userDevices } from './aggregates';
import type { PhoneProvisionedNotice } from './devices-port';
import { codeHashOf } from './hashing';
import { nowOf, type UsersDeps } from './users-deps';

export type NoticeOutcome =
  | { readonly kind: 'registered'; readonly userId: string; readonly rolloutProblem: DomainError | null }
  | { readonly kind: 'already-registered'; readonly userId: string; readonly rolloutProblem: DomainError | null }
  | { readonly kind: 'unassigned'; readonly reason: UnassignedPhone.UnassignedReason };

export async function processPhoneNotice(
  deps: Pick<UsersDeps, 'events' | 'clock' | 'random' | 'secrets'>,
  notice: PhoneProvisionedNotice,
): Promise<NoticeOutcome> {
  const now = nowOf(deps.clock);
  const options = { random: deps.random, metadata: { actor: 'devices', causationId: notice.noticeId } };
  const codeHash = notice.code === null ? null : codeHashOf(deps.secrets, notice.code);
  const userDevice = codeHash === null ? UserDevice.initialState : (await load(deps.events, UserDevice.streamName(codeHash), userDevices)).state;
  const route = routeNotice(notice, codeHash, userDevice, now);

  if (route.to === 'unassignedPhone') {
    const recorded = await handle(deps.events, UnassignedPhone.streamName(notice.mac), unassignedPhones, route.command, options);
    if (E.isLeft(recorded)) throw new Error(`recording unassigned phone ${notice.mac} failed: ${recorded.left.detail}`);
    return { kind: 'unassigned', reason: route.command.reason };
  }

  const registered = await handle(deps.events, UserDevice.streamName(route.codeHash), userDevices, route.command, options);
  if (E.isLeft(registered)) throw new Error(`registering phone ${notice.mac} failed: ${registered.left.detail}`);
  const device = registered.right.state;
  if (device.status === 'none' || device.userId === null) throw new Error(`the code of phone ${notice.mac} has no user`);
  const rolloutProblem =
    device.rolloutId === null
      ? null
      : await registerRolloutEntry(deps, { rolloutId: device.rolloutId, userId: device.userId, codeHash: route.codeHash, mac: notice.mac, now }, options);
  return { kind: registered.right.events.length > 0 ? 'registered' : 'already-registered', userId: device.userId, rolloutProblem };
}

/** Mark the code's rollout entry registered; answers why not, when the rollout refuses. */
async function registerRolloutEntry(
  deps: Pick<UsersDeps, 'events' | 'random'>,
  command: Omit<Extract<Rollout.Command, { type: 'RegisterRolloutEntry' }>, 'type'>,
  options: HandleOptions,
): Promise<DomainError | null> {
  const result = await handle(deps.events, Rollout.streamName(command.rolloutId), rollouts, { type: 'RegisterRolloutEntry', ...command }, options);
  return E.isLeft(result) ? result.left : null;
}
