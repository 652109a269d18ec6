/**
 * UsersAdmin: a fresh code for a rollout entry whose code expired unused. Checked on the
 * rollout's stream before Devices is asked, and decided there again after.
 */
import * as E from 'fp-ts/Either';
import { domainError, parseId, Rollout, type DomainError } from '../../domain';
import { handle, load } from '../command-handler';
import { rollouts } from './aggregates';
import { loadUser, recordCode } from './record-code';
import type { RolloutEntryView } from './start-rollout';
import { latestPosition, nowOf, type UsersDeps, settle } from './users-deps';

export async function reissueCode(
  deps: UsersDeps,
  input: { readonly rolloutId: string; readonly user: string },
): Promise<E.Either<DomainError, { readonly rolloutId: string; readonly entry: RolloutEntryView }>> {
  const rolloutId = parseId(input.rolloutId, 'a rollout id');
  if (E.isLeft(rolloutId)) return rolloutId;
  const userId = parseId(input.user, 'a user id');
  if (E.isLeft(userId)) return userId;
  const stream = Rollout.streamName(rolloutId.right);
  const rollout = (await load(deps.events, stream, rollouts)).state;
  if (rollout.status === 'none') return E.left(domainError('not-found', 'no such rollout'));
  const entry = Rollout.entryOf(rollout.entries, userId.right);
  if (entry === undefined) return E.left(domainError('not-found', 'the user is not in this rollout'));
  const state = Rollout.entryState(entry, nowOf(deps.clock));
  if (state !== 'expired') return E.left(domainError('conflict', `the entry is ${state}; only an expired code is reissued`));
  const user = await loadUser(deps, userId.right);
  if (user.status === 'none') return E.left(domainError('not-found', 'no such user'));

  const issued = await deps.devices.getProvisioningCode(rollout.category);
  const recorded = await recordCode(deps, { user, category: rollout.category, issued, rolloutId: rolloutId.right, actor: 'admin' });
  if (E.isLeft(recorded)) return recorded;
  const { codeHash, code, expiresAt } = recorded.right;
  const reissued = await handle(
    deps.events,
    stream,
    rollouts,
    { type: 'ReissueRolloutCode', rolloutId: rolloutId.right, userId: userId.right, codeHash, code, expiresAt, now: nowOf(deps.clock) },
    { random: deps.random, metadata: { actor: 'admin' } },
  );
  if (E.isLeft(reissued)) return reissued;
  await settle(deps, latestPosition([recorded.right.position, reissued.right.position]));
  return E.right({ rolloutId: rolloutId.right, entry: { user: userId.right, code, expiresAt, state: 'pending', mac: null } });
}
