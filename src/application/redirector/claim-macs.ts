/**
 * `POST /claims`: an installation claims phones in advance by MAC (SPEC §5.4), one stream
 * per MAC. All or nothing as far as the streams allow: when any MAC is claimed by another
 * installation, nothing is claimed and the refusal names those MACs. (A claim by another
 * installation landing between that check and the claims is still refused per MAC, on its
 * stream; the MACs before it stay claimed, and a retry of the request is harmless.)
 */
import * as E from 'fp-ts/Either';
import { MacClaim, ProvisioningCode } from '../../domain';
import type { Mac } from '../../domain/values';
import { handle, load } from '../command-handler';
import { Refusal } from '../refusal';
import { macClaim } from './aggregates';
import { metadataOf, nowOf, type RedirectorDeps } from './deps';
import { inBatches } from './in-batches';

const CONCURRENCY = 32;
const NAMED = 20;

/** `conflict`, naming the MACs claimed by another installation (and listing them all as the extension `macs`) */
const claimedByAnother = (macs: readonly Mac[]): Refusal => {
  const named = macs.slice(0, NAMED).join(', ');
  const more = macs.length > NAMED ? ` and ${macs.length - NAMED} more` : '';
  return new Refusal('conflict', `claimed by another installation: ${named}${more}`, { extensions: { macs } });
};

/** Answers how many distinct MACs of the request are now claimed by the installation. */
export async function claimMacs(
  deps: Pick<RedirectorDeps, 'events' | 'clock' | 'random'>,
  installation: ProvisioningCode.IssuingInstallation,
  requested: readonly Mac[],
): Promise<{ readonly claimed: number }> {
  const macs = [...new Set(requested)];
  const states = await inBatches(macs, CONCURRENCY, async (mac) => ({ mac, state: (await load(deps.events, MacClaim.streamName(mac), macClaim)).state }));
  const taken = states.flatMap(({ mac, state }) => (state.status === 'claimed' && state.installationId !== installation.installationId ? [mac] : []));
  if (taken.length > 0) throw claimedByAnother(taken);
  const now = nowOf(deps.clock);
  const options = { random: deps.random, metadata: metadataOf(`installation:${installation.installationId}`) };
  const results = await inBatches(macs, CONCURRENCY, async (mac) => ({
    mac,
    result: await handle(deps.events, MacClaim.streamName(mac), macClaim, { type: 'ClaimMac', mac, installation, now }, options),
  }));
  const lost = results.flatMap(({ mac, result }) => (E.isLeft(result) ? [mac] : []));
  if (lost.length > 0) throw claimedByAnother(lost);
  return { claimed: macs.length };
}
