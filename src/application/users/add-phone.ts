/** Profile "add a phone": a code from Devices for a category, kept with the user who asked. */
import * as E from 'fp-ts/Either';
import { domainError, parseCategoryId, parseId, type DomainError } from '../../domain';
import type { IssuedCode } from './devices-port';
import { loadUser, recordCode } from './record-code';
import { type UsersDeps, settle } from './users-deps';

export async function addPhone(deps: UsersDeps, userIdInput: string, categoryInput: string): Promise<E.Either<DomainError, IssuedCode>> {
  const userId = parseId(userIdInput, 'a user id');
  if (E.isLeft(userId)) return userId;
  const category = parseCategoryId(categoryInput);
  if (E.isLeft(category)) return category;
  // checked before Devices is asked, so a refusal spends no code
  const user = await loadUser(deps, userId.right);
  if (user.status === 'none') return E.left(domainError('not-found', 'no such user'));
  const issued = await deps.devices.getProvisioningCode(category.right);
  const recorded = await recordCode(deps, { user, category: category.right, issued, rolloutId: null, actor: `user:${userId.right}` });
  if (E.isLeft(recorded)) return recorded;
  await settle(deps, recorded.right.position);
  return E.right(issued);
}
