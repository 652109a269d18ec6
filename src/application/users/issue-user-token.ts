/**
 * A token a user logs in to Profile with: 32 random bytes, base64url, shown once to the
 * admin who asked for it and kept only as its keyed hash.
 */
import * as E from 'fp-ts/Either';
import { parseId, User, type DomainError } from '../../domain';
import { handle } from '../command-handler';
import { users } from './aggregates';
import { tokenHashOf } from './hashing';
import { nowOf, type UsersDeps, settle } from './users-deps';

export async function issueUserToken(deps: UsersDeps, userIdInput: string): Promise<E.Either<DomainError, { readonly token: string }>> {
  const userId = parseId(userIdInput, 'a user id');
  if (E.isLeft(userId)) return userId;
  const token = deps.random.bytes(32).toString('base64url');
  const handled = await handle(
    deps.events,
    User.streamName(userId.right),
    users,
    { type: 'IssueUserToken', userId: userId.right, tokenHash: tokenHashOf(deps.secrets, token), now: nowOf(deps.clock) },
    { random: deps.random, metadata: { actor: 'admin' } },
  );
  if (E.isLeft(handled)) return handled;
  await settle(deps, handled.right.position);
  return E.right({ token });
}
