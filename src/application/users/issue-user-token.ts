/**
 * A token a user logs in to Profile with: 32 random bytes, base64url, shown once to the
 * admin who asked for it and kept only as its keyed hash.
 */
import { parseId, User } from '../../domain';
import { orRefuse } from '../refusal';
import { users } from './aggregates';
import { tokenHashOf } from './hashing';
import { asAdmin, nowOf, type UsersDeps, settle } from './users-deps';

export async function issueUserToken(deps: UsersDeps, userIdInput: string): Promise<{ readonly token: string }> {
  const userId = orRefuse(parseId(userIdInput, 'a user id'));
  const token = deps.random.bytes(32).toString('base64url');
  const handled = await asAdmin(deps, User.streamName(userId), users, { type: 'IssueUserToken', userId, tokenHash: tokenHashOf(deps.secrets, token), now: nowOf(deps.clock) });
  await settle(deps, orRefuse(handled));
  return { token };
}
