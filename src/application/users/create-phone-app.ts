/** A phone app a rollout may pick (UsersAdmin step 2). */
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import { parseDisplayName, parseId, PhoneApp } from '../../domain';
import { orRefuse } from '../refusal';
import { phoneApps } from './aggregates';
import { asAdmin, nowOf, type UsersDeps, settle } from './users-deps';

export interface PhoneAppView {
  readonly id: string;
  readonly name: string;
}

export async function createPhoneApp(deps: UsersDeps, input: { readonly id: string; readonly name: string }): Promise<PhoneAppView> {
  const { phoneAppId, name } = orRefuse(
    pipe(E.Do, E.apS('phoneAppId', parseId(input.id.trim(), 'a phone app id')), E.apS('name', parseDisplayName(input.name, 'a phone app name'))),
  );
  const handled = await asAdmin(deps, PhoneApp.streamName(phoneAppId), phoneApps, { type: 'CreatePhoneApp', phoneAppId, name, now: nowOf(deps.clock) });
  await settle(deps, orRefuse(handled));
  return { id: phoneAppId, name };
}
