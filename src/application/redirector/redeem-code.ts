/**
 * `phone/redeem`: the lean path phones hit. The throttle is asked first (while throttled,
 * every request is refused, whatever its code); then the code's keyed hash names the one
 * stream to read; the decider binds the first MAC and lets the same MAC again without
 * writing. Only a first redeem appends. A refused well-formed code counts as a wrong guess.
 * Unknown, expired, revoked and foreign-bound codes get the same refusal. The refusals a
 * guesser gets are made once: an error's stack is captured when it is made, not when it is
 * thrown, and a guesser's requests are the ones to keep cheapest.
 */
import * as E from 'fp-ts/Either';
import { ProvisioningCode, type DevicesUrl } from '../../domain';
import type { FirmwareVersion, IpAddress, Mac, Model, ProvisioningCode as Code } from '../../domain/values';
import { handle } from '../command-handler';
import { provisioningCode } from './aggregates';
import { metadataOf, nowOf, type RedirectorDeps } from './deps';
import type { GuessThrottle } from '../guess-throttle';
import { Refusal, refusalOf } from '../refusal';
import { codeHashOf } from './secrets';

export interface RedeemRequest {
  readonly code: Code;
  readonly mac: Mac;
  readonly model: Model;
  readonly firmware: FirmwareVersion;
  readonly bootcode: FirmwareVersion;
  readonly localIp: IpAddress;
  /** the source address the request came from (for the throttle; not stored) */
  readonly sourceIp: string;
}

export type RedeemResult =
  | { readonly outcome: 'redeemed'; readonly devicesUrl: DevicesUrl; readonly first: boolean }
  | { readonly outcome: 'refused'; readonly refusal: Refusal }
  | { readonly outcome: 'rate-limited'; readonly refusal: Refusal };

const UNKNOWN_CODE = refusalOf(ProvisioningCode.unknownCode);
const rateLimited = new Map<number, Refusal>();
const rateLimitedFor = (retryAfterSeconds: number): Refusal => {
  let refusal = rateLimited.get(retryAfterSeconds);
  if (refusal === undefined) {
    refusal = new Refusal('rate-limited', `too many wrong codes from this address or for this phone; try again in ${retryAfterSeconds} s`, { retryAfterSeconds });
    rateLimited.set(retryAfterSeconds, refusal);
  }
  return refusal;
};

export async function redeemCode(
  deps: Pick<RedirectorDeps, 'events' | 'clock' | 'random' | 'secrets'>,
  throttle: GuessThrottle,
  request: RedeemRequest,
): Promise<RedeemResult> {
  const { sourceIp, code, ...phone } = request;
  const allowed = await throttle.gate(sourceIp, phone.mac);
  if (!allowed.allowed) return { outcome: 'rate-limited', refusal: rateLimitedFor(allowed.retryAfterSeconds) };
  const codeHash = codeHashOf(deps.secrets, code);
  const result = await handle(
    deps.events,
    ProvisioningCode.streamName(codeHash),
    provisioningCode,
    { type: 'RedeemCode', codeHash, ...phone, now: nowOf(deps.clock) },
    { random: deps.random, metadata: metadataOf(`phone:${phone.mac}`) },
  );
  if (E.isLeft(result)) {
    await throttle.recordWrongGuess(sourceIp, phone.mac);
    return { outcome: 'refused', refusal: result.left === ProvisioningCode.unknownCode ? UNKNOWN_CODE : refusalOf(result.left) };
  }
  const state = result.right.state;
  if (state.status === 'none') throw new Error('a redeemed code folded into no state');
  return { outcome: 'redeemed', devicesUrl: state.devicesUrl, first: result.right.events.length > 0 };
}
