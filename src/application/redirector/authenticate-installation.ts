/** Who is calling with an API key: the registered installation whose current key hash matches. */
import { Installation, type ProvisioningCode } from '../../domain';
import { load } from '../command-handler';
import { installation } from './aggregates';
import type { RedirectorDeps } from './deps';
import { apiKeyHashOf, installationOfApiKey, sameDigest } from './secrets';

/** decided on the installation's stream, so a key works at once and a rotated key stops at once */
export async function authenticateInstallation(
  deps: Pick<RedirectorDeps, 'events' | 'secrets'>,
  apiKey: string,
): Promise<ProvisioningCode.IssuingInstallation | undefined> {
  const hash = apiKeyHashOf(deps.secrets, apiKey);
  const installationId = installationOfApiKey(apiKey);
  if (installationId === undefined) return undefined;
  const { state } = await load(deps.events, Installation.streamName(installationId), installation);
  if (state.status !== 'registered' || !sameDigest(state.apiKeyHash, hash)) return undefined;
  return { installationId: state.installationId, devicesUrl: state.devicesUrl };
}
