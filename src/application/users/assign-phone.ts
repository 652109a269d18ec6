/** An admin gives an unassigned phone (no code, or a code Users did not know) to a user. */
import * as E from 'fp-ts/Either';
import { parseId, parseMac, UnassignedPhone, type DomainError } from '../../domain';
import { handle } from '../command-handler';
import { unassignedPhones } from './aggregates';
import { loadUser } from './record-code';
import { nowOf, type UsersDeps, settle } from './users-deps';

export async function assignPhone(deps: UsersDeps, input: { readonly mac: string; readonly user: string }): Promise<E.Either<DomainError, void>> {
  const mac = parseMac(input.mac);
  if (E.isLeft(mac)) return mac;
  const userId = parseId(input.user, 'a user id');
  if (E.isLeft(userId)) return userId;
  const user = await loadUser(deps, userId.right);
  const assigned = await handle(
    deps.events,
    UnassignedPhone.streamName(mac.right),
    unassignedPhones,
    { type: 'AssignPhoneToUser', mac: mac.right, user, now: nowOf(deps.clock) },
    { random: deps.random, metadata: { actor: 'admin' } },
  );
  if (E.isLeft(assigned)) return assigned;
  await settle(deps, assigned.right.position);
  return E.right(undefined);
}
