/** Profile "add a phone": a code from Devices for a category, kept with the user who asked. */
import { parseCategoryId, parseId } from '../../domain';
import { orRefuse, Refusal } from '../refusal';
import type { IssuedCode } from './devices-port';
import { loadUser, recordCode } from './record-code';
import { type UsersDeps, settle } from './users-deps';

export async function addPhone(deps: UsersDeps, userIdInput: string, categoryInput: string): Promise<IssuedCode> {
  const userId = orRefuse(parseId(userIdInput, 'a user id'));
  const category = orRefuse(parseCategoryId(categoryInput));
  // checked before Devices is asked, so a refusal spends no code
  const user = await loadUser(deps, userId);
  if (user.status === 'none') throw new Refusal('not-found', 'no such user');
  const issued = await deps.devices.getProvisioningCode(category);
  const recorded = orRefuse(await recordCode(deps, { user, category, issued, rolloutId: null, actor: `user:${userId}` }));
  await settle(deps, recorded.position);
  return issued;
}
