/**
 * `DELETE /codes/{code}`: the issuing installation revokes a code. It stops working at
 * once (decided on its stream); its stream and personal data are purged right after, or by
 * the next scheduled purge should this one not finish.
 */
import * as E from 'fp-ts/Either';
import { ProvisioningCode, type DomainError, type Id } from '../../domain';
import type { ProvisioningCode as Code } from '../../domain/values';
import { handle } from '../command-handler';
import { provisioningCode } from './aggregates';
import { metadataOf, nowOf, type RedirectorDeps } from './deps';
import { purgeCodes, type PurgeResult } from './purge-codes';
import { codeHashOf } from './secrets';

export async function revokeCode(deps: RedirectorDeps, installationId: Id, code: Code): Promise<E.Either<DomainError, PurgeResult>> {
  const codeHash = codeHashOf(deps.secrets, code);
  const revoked = await handle(
    deps.events,
    ProvisioningCode.streamName(codeHash),
    provisioningCode,
    { type: 'RevokeCode', codeHash, installationId, now: nowOf(deps.clock) },
    { random: deps.random, metadata: metadataOf(`installation:${installationId}`) },
  );
  if (E.isLeft(revoked)) return revoked;
  return E.right(await purgeCodes(deps, [{ codeHash }]));
}
