/**
 * UsersAdmin "Register phones", step 4: one code per user from Devices (asked for in
 * batches, GetProvisioningCodes), each recorded with its user, then the rollout itself.
 * Everything that can be refused is checked before a code is asked for.
 *
 * The user codes are recorded before the rollout: if the process stops in between, each
 * code still belongs to its user (Profile shows it, its phone registers with the user);
 * only the rollout record is missing.
 */
import * as E from 'fp-ts/Either';
import { domainError, parseCategoryId, parseId, PhoneApp, Rollout, type CategoryId, type DomainError, type Id, type Timestamp } from '../../domain';
import { load } from '../command-handler';
import { orRefuse, Refusal } from '../refusal';
import { phoneApps, rollouts } from './aggregates';
import { mapBounded } from './bounded';
import { CODES_PER_REQUEST, type IssuedCode } from './devices-port';
import { loadUser, recordCode } from './record-code';
import { latestPosition, asAdmin, nowOf, type UsersDeps, settle } from './users-deps';

/** codes recorded at the same time (each on its own stream; the store writes them together) */
export const RECORD_CONCURRENCY = 64;

export interface StartRolloutInput {
  readonly category: string;
  readonly phoneApp: string;
  readonly users: readonly string[];
}

export interface RolloutEntryView {
  readonly user: string;
  readonly code: string;
  readonly expiresAt: Timestamp;
  readonly state: Rollout.EntryState;
  readonly mac: string | null;
}

export interface StartedRollout {
  readonly rolloutId: string;
  readonly category: CategoryId;
  readonly phoneApp: string;
  readonly entries: readonly RolloutEntryView[];
}

const parseUserIds = (inputs: readonly string[]): E.Either<DomainError, Id[]> => {
  if (inputs.length === 0) return E.left(domainError('validation-failed', 'a rollout needs at least one user'));
  if (inputs.length > Rollout.MAX_ENTRIES) return E.left(domainError('validation-failed', `a rollout has at most ${Rollout.MAX_ENTRIES} users`));
  const ids: Id[] = [];
  const seen = new Set<string>();
  for (const [i, input] of inputs.entries()) {
    const id = parseId(input, `users[${i}]`);
    if (E.isLeft(id)) return id;
    if (seen.has(id.right)) return E.left(domainError('validation-failed', `user ${id.right} is listed twice; each user at most once per rollout`));
    seen.add(id.right);
    ids.push(id.right);
  }
  return E.right(ids);
};

export async function startRollout(deps: UsersDeps, input: StartRolloutInput): Promise<StartedRollout> {
  const category = orRefuse(parseCategoryId(input.category));
  const phoneAppId = orRefuse(parseId(input.phoneApp, 'a phone app id'));
  const userIds = orRefuse(parseUserIds(input.users));

  const phoneApp = (await load(deps.events, PhoneApp.streamName(phoneAppId), phoneApps)).state;
  if (phoneApp.status === 'none') throw new Refusal('not-found', `no such phone app: ${phoneAppId}`);
  const userStates = await mapBounded(userIds, 16, (id) => loadUser(deps, id));
  const missing = userIds.filter((_, i) => userStates[i]!.status === 'none');
  if (missing.length > 0) {
    throw new Refusal('not-found', `no such user: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''}`);
  }
  const rolloutId = orRefuse(parseId(deps.random.uuid(), 'a rollout id'));

  const issued: IssuedCode[] = [];
  for (let i = 0; i < userIds.length; i += CODES_PER_REQUEST) {
    issued.push(...(await deps.devices.getProvisioningCodes(category, Math.min(CODES_PER_REQUEST, userIds.length - i))));
  }
  const recorded = await mapBounded(userIds, RECORD_CONCURRENCY, async (_, i) => {
    const result = await recordCode(deps, { user: userStates[i]!, category, issued: issued[i]!, rolloutId, actor: 'admin' });
    if (E.isLeft(result)) throw new Error(`recording the code of ${userIds[i]} failed: ${result.left.detail}`);
    return result.right;
  });
  const entries = recorded.map((r, i) => ({ userId: userIds[i]!, codeHash: r.codeHash, code: r.code, expiresAt: r.expiresAt }));
  const started = await asAdmin(deps, Rollout.streamName(rolloutId), rollouts, { type: 'StartRollout', rolloutId, category, phoneApp, entries, now: nowOf(deps.clock) });
  await settle(deps, latestPosition([orRefuse(started).position, ...recorded.map((r) => r.position)]));
  return {
    rolloutId,
    category,
    phoneApp: phoneAppId,
    entries: entries.map((e) => ({ user: e.userId, code: e.code, expiresAt: e.expiresAt, state: 'pending' as const, mac: null })),
  };
}
