/**
 * Issuing a code to an installation: 12 random digits whose keyed hash names a fresh
 * stream. A drawn code whose stream exists (a live code with the same digits, odds 1 in
 * 10^12 per live code) is `conflict` from the decider: draw again.
 */
import * as E from 'fp-ts/Either';
import { ProvisioningCode, type DevicesUrl, type Timestamp } from '../../domain';
import type { ProvisioningCode as Code } from '../../domain/values';
import { handle } from '../command-handler';
import { Refusal, refusalOf } from '../refusal';
import { provisioningCode } from './aggregates';
import { inBatches } from './in-batches';
import { metadataOf, nowOf, type RedirectorDeps } from './deps';
import { codeHashOf, drawCode } from './secrets';

const DRAWS = 8;

export interface IssuedCode {
  readonly code: Code;
  readonly expiresAt: Timestamp;
}

export async function issueCode(
  deps: Pick<RedirectorDeps, 'events' | 'clock' | 'random' | 'secrets'>,
  installation: ProvisioningCode.IssuingInstallation,
  devicesUrl: DevicesUrl,
): Promise<IssuedCode> {
  const options = { random: deps.random, metadata: metadataOf(`installation:${installation.installationId}`) };
  for (let draw = 0; draw < DRAWS; draw++) {
    const code = drawCode(deps.random);
    const codeHash = codeHashOf(deps.secrets, code);
    const issued = await handle(
      deps.events,
      ProvisioningCode.streamName(codeHash),
      provisioningCode,
      { type: 'IssueCode', codeHash, installation, devicesUrl, now: nowOf(deps.clock) },
      options,
    );
    if (E.isRight(issued)) {
      const state = issued.right.state;
      if (state.status === 'none') throw new Error('an issued code folded into no state');
      return { code, expiresAt: state.expiresAt };
    }
    if (issued.left.code !== 'conflict') throw refusalOf(issued.left);
  }
  throw new Error(`no free code after ${DRAWS} draws: is the random source broken?`);
}

/** The most codes one request may ask for. */
export const MAX_CODES_AT_ONCE = 1000;

/**
 * Issue `count` codes at once (a rollout for many users): each on its own stream as
 * issueCode does, written together by the store's group commit.
 */
export async function issueCodes(
  deps: Pick<RedirectorDeps, 'events' | 'clock' | 'random' | 'secrets'>,
  installation: ProvisioningCode.IssuingInstallation,
  devicesUrl: DevicesUrl,
  count: number,
): Promise<readonly IssuedCode[]> {
  if (!Number.isInteger(count) || count < 1 || count > MAX_CODES_AT_ONCE) {
    throw new Refusal('validation-failed', `count must be a whole number from 1 to ${MAX_CODES_AT_ONCE}`);
  }
  return inBatches(Array.from({ length: count }, (_, i) => i), 100, () => issueCode(deps, installation, devicesUrl));
}
