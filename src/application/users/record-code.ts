/**
 * A code Devices issued for a user, recorded on its own stream (`userDevice-<hash>`):
 * Profile's AddPhone and each rollout entry go through here, so a phone that comes up
 * with the code finds its user.
 */
import * as E from 'fp-ts/Either';
import { UserDevice, User, type CategoryId, type Digest, type DomainError, type Id } from '../../domain';
import { handle, load } from '../command-handler';
import { userDevices, users } from './aggregates';
import type { IssuedCode } from './devices-port';
import { codeHashOf } from './hashing';
import { nowOf, type UsersDeps } from './users-deps';

export interface RecordedCode extends IssuedCode {
  readonly codeHash: Digest;
  readonly position: number | undefined;
}

/** The user's state, folded from its stream (`status: 'none'` when there is no such user). */
export const loadUser = async (deps: Pick<UsersDeps, 'events'>, userId: Id): Promise<User.State> =>
  (await load(deps.events, User.streamName(userId), users)).state;

/**
 * Record the code on its stream; answers it with its hash and position, or the decider's
 * refusal for the caller to say what it means.
 */
export async function recordCode(
  deps: Pick<UsersDeps, 'events' | 'clock' | 'random' | 'secrets'>,
  request: { readonly user: User.State; readonly category: CategoryId; readonly issued: IssuedCode; readonly rolloutId: Id | null; readonly actor: string },
): Promise<E.Either<DomainError, RecordedCode>> {
  const { user, category, issued, rolloutId } = request;
  const codeHash = codeHashOf(deps.secrets, issued.code);
  const handled = await handle(
    deps.events,
    UserDevice.streamName(codeHash),
    userDevices,
    { type: 'RequestPhoneCode', codeHash, code: issued.code, user, category, expiresAt: issued.expiresAt, rolloutId, now: nowOf(deps.clock) },
    { random: deps.random, metadata: { actor: request.actor } },
  );
  if (E.isLeft(handled)) return handled;
  return E.right({ ...issued, codeHash, position: handled.right.position });
}
