/**
 * `DELETE /codes/{code}`: the issuing installation revokes a code. It stops working at
 * once (decided on its stream); its stream and personal data are purged right after, or by
 * the next scheduled purge should this one not finish.
 */
import { ProvisioningCode, type Id } from '../../domain';
import type { ProvisioningCode as Code } from '../../domain/values';
import { handle } from '../command-handler';
import { orRefuse } from '../refusal';
import { provisioningCode } from './aggregates';
import { metadataOf, nowOf, type RedirectorDeps } from './deps';
import { purgeCodes, type PurgeResult } from './purge-codes';
import { codeHashOf } from './secrets';

export async function revokeCode(deps: RedirectorDeps, installationId: Id, code: Code): Promise<PurgeResult> {
  const codeHash = codeHashOf(deps.secrets, code);
  const revoked = await handle(
    deps.events,
    ProvisioningCode.streamName(codeHash),
    provisioningCode,
    { type: 'RevokeCode', codeHash, installationId, now: nowOf(deps.clock) },
    { random: deps.random, metadata: metadataOf(`installation:${installationId}`) },
  );
  orRefuse(revoked);
  return purgeCodes(deps, [{ codeHash }]);
}
