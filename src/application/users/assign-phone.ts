/** An admin gives an unassigned phone (no code, or a code Users did not know) to a user. */
import { parseId, parseMac, UnassignedPhone } from '../../domain';
import { orRefuse } from '../refusal';
import { unassignedPhones } from './aggregates';
import { loadUser } from './record-code';
import { asAdmin, nowOf, type UsersDeps, settle } from './users-deps';

export async function assignPhone(deps: UsersDeps, input: { readonly mac: string; readonly user: string }): Promise<void> {
  const mac = orRefuse(parseMac(input.mac));
  const userId = orRefuse(parseId(input.user, 'a user id'));
  const user = await loadUser(deps, userId);
  const assigned = await asAdmin(deps, UnassignedPhone.streamName(mac), unassignedPhones, { type: 'AssignPhoneToUser', mac, user, now: nowOf(deps.clock) });
  await settle(deps, orRefuse(assigned));
}
