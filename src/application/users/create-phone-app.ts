/** A phone app a rollout may pick (UsersAdmin step 2). */
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import { parseDisplayName, parseId, PhoneApp, type DomainError } from '../../domain';
import { handle } from '../command-handler';
import { phoneApps } from './aggregates';
import { nowOf, type UsersDeps, settle } from './users-deps';

export interface PhoneAppView {
  readonly id: string;
  readonly name: string;
}

export async function createPhoneApp(deps: UsersDeps, input: { readonly id: string; readonly name: string }): Promise<E.Either<DomainError, PhoneAppView>> {
  const parsed = pipe(E.Do, E.apS('phoneAppId', parseId(input.id.trim(), 'a phone app id')), E.apS('name', parseDisplayName(input.name, 'a phone app name')));
  if (E.isLeft(parsed)) return parsed;
  const { phoneAppId, name } = parsed.right;
  const handled = await handle(
    deps.events,
    PhoneApp.streamName(phoneAppId),
    phoneApps,
    { type: 'CreatePhoneApp', phoneAppId, name, now: nowOf(deps.clock) },
    { random: deps.random, metadata: { actor: 'admin' } },
  );
  if (E.isLeft(handled)) return handled;
  await settle(deps, handled.right.position);
  return E.right({ id: phoneAppId, name });
}
