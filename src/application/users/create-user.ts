/** Add a person to the directory (admin HTTP `POST /users`, CSV import). */
import * as E from 'fp-ts/Either';
import { pipe } from 'fp-ts/function';
import { parseDisplayName, parseEmail, parseId, User, type DisplayName, type DomainError, type Email, type Id } from '../../domain';
import { orRefuse } from '../refusal';
import { users } from './aggregates';
import { asAdmin, nowOf, type UsersDeps, settle } from './users-deps';

export interface NewUserInput {
  readonly id: string;
  readonly name: string;
  /** absent, null or empty: none */
  readonly email?: string | null | undefined;
}

export interface NewUser {
  readonly userId: Id;
  readonly name: DisplayName;
  readonly email: Email | null;
}

export interface UserView {
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
}

export const parseNewUser = (input: NewUserInput): E.Either<DomainError, NewUser> =>
  pipe(
    E.Do,
    E.apS('userId', parseId(input.id.trim(), 'a user id')),
    E.apS('name', parseDisplayName(input.name, 'a user name')),
    E.apS('email', input.email === undefined || input.email === null || input.email.trim() === '' ? E.right(null) : parseEmail(input.email)),
  );

/** Record a parsed user; answers the position of the event, or the decider's refusal (an import skips a `conflict`). */
export async function recordUser(deps: Pick<UsersDeps, 'events' | 'clock' | 'random'>, user: NewUser): Promise<E.Either<DomainError, number | undefined>> {
  const handled = await asAdmin(deps, User.streamName(user.userId), users, { type: 'CreateUser', ...user, now: nowOf(deps.clock) });
  return E.isLeft(handled) ? handled : E.right(handled.right.position);
}

export async function createUser(deps: UsersDeps, input: NewUserInput): Promise<UserView> {
  const user = orRefuse(parseNewUser(input));
  await settle(deps, orRefuse(await recordUser(deps, user)));
  return { id: user.userId, name: user.name, email: user.email };
}
