/**
 * `POST /claims`: an installation claims phones in advance by MAC (SPEC §5.4), one stream
 * per MAC. All or nothing as far as the streams allow: when any MAC is claimed by another
 * installation, nothing is claimed and the refusal names those MACs. (A claim by another
 * installation landing between that check and the claims is still refused per MAC, on its
 * stream; the MACs before it stay claimed, and a retry of the request is harmless.)
 */
import * as E from 'fp-ts/Either';
import { domainError, MacClaim, ProvisioningCode, type DomainError } from '../../domain';
import type { Mac } from '../../domain/values';
import { handle, load } from '../command-handler';
import { macClaim } from './aggregates';
import { metadataOf, nowOf, type RedirectorDeps } from './deps';
import { inBatches } from './in-batches';

const CONCURRENCY = 32;
const NAMED = 20;

export interface ClaimRefusal extends DomainError {
  /** the MACs claimed by another installation */
  readonly macs: readonly Mac[];
}

const refusal = (macs: readonly Mac[]): ClaimRefusal => {
  const named = macs.slice(0, NAMED).join(', ');
  const more = macs.length > NAMED ? ` and ${macs.length - NAMED} more` : '';
  return { ...domainError('conflict', `claimed by another installation: ${named}${more}`), macs };
};

/** Answers how many distinct MACs of the request are now claimed by the installation. */
export async function claimMacs(
  deps: Pick<RedirectorDeps, 'events' | 'clock' | 'random'>,
  installation: ProvisioningCode.IssuingInstallation,
  requested: readonly Mac[],
): Promise<E.Either<ClaimRefusal, { readonly claimed: number }>> {
  const macs = [...new Set(requested)];
  const states = await inBatches(macs, CONCURRENCY, async (mac) => ({ mac, state: (await load(deps.events, MacClaim.streamName(mac), macClaim)).state }));
  const taken = states.flatMap(({ mac, state }) => (state.status === 'claimed' && state.installationId !== installation.installationId ? [mac] : []));
  if (taken.length > 0) return E.left(refusal(taken));
  const now = nowOf(deps.clock);
  const options = { random: deps.random, metadata: metadataOf(`installation:${installation.installationId}`) };
  const results = await inBatches(macs, CONCURRENCY, async (mac) => ({
    mac,
    result: await handle(deps.events, MacClaim.streamName(mac), macClaim, { type: 'ClaimMac', mac, installation, now }, options),
  }));
  const lost = results.flatMap(({ mac, result }) => (E.isLeft(result) ? [mac] : []));
  return lost.length > 0 ? E.left(refusal(lost)) : E.right({ claimed: macs.length });
}
