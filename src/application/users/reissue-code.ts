/**
 * UsersAdmin: a fresh code for a rollout entry whose code expired unused. Checked on the
 * rollout's stream before Devices is asked, and decided there again after.
 */
import { parseId, Rollout } from '../../domain';
import { load } from '../command-handler';
import { orRefuse, Refusal } from '../refusal';
import { rollouts } from './aggregates';
import { loadUser, recordCode } from './record-code';
import type { RolloutEntryView } from './start-rollout';
import { latestPosition, asAdmin, nowOf, type UsersDeps, settle } from './users-deps';

export async function reissueCode(
  deps: UsersDeps,
  input: { readonly rolloutId: string; readonly user: string },
): Promise<{ readonly rolloutId: string; readonly entry: RolloutEntryView }> {
  const rolloutId = orRefuse(parseId(input.rolloutId, 'a rollout id'));
  const userId = orRefuse(parseId(input.user, 'a user id'));
  const stream = Rollout.streamName(rolloutId);
  const rollout = (await load(deps.events, stream, rollouts)).state;
  if (rollout.status === 'none') throw new Refusal('not-found', 'no such rollout');
  const entry = Rollout.entryOf(rollout.entries, userId);
  if (entry === undefined) throw new Refusal('not-found', 'the user is not in this rollout');
  const state = Rollout.entryState(entry, nowOf(deps.clock));
  if (state !== 'expired') throw new Refusal('conflict', `the entry is ${state}; only an expired code is reissued`);
  const user = await loadUser(deps, userId);
  if (user.status === 'none') throw new Refusal('not-found', 'no such user');

  const issued = await deps.devices.getProvisioningCode(rollout.category);
  const recorded = orRefuse(await recordCode(deps, { user, category: rollout.category, issued, rolloutId, actor: 'admin' }));
  const { codeHash, code, expiresAt } = recorded;
  const reissued = await asAdmin(deps, stream, rollouts, { type: 'ReissueRolloutCode', rolloutId, userId, codeHash, code, expiresAt, now: nowOf(deps.clock) });
  await settle(deps, latestPosition([recorded.position, orRefuse(reissued).position]));
  return { rolloutId, entry: { user: userId, code, expiresAt, state: 'pending', mac: null } };
}
