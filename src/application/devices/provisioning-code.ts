/**
 * `GetProvisioningCode` (SPEC §2 step 3): Devices checks the category, asks the Redirector
 * for a code for its own URL, and records the code (keyed hash) with domain and category
 * on the code's stream. Should the record be refused (the category was disabled in
 * between), the code is revoked at the Redirector again.
 */
import { DeviceCode, Domain, type CategoryId, type DomainName } from '../../domain';
import { handle } from '../command-handler';
import { deviceCodeAggregate } from './aggregates';
import { metadataOf, nowOf, type DevicesDeps } from './deps';
import { loadDomain } from './domains';
import type { IssuedCode } from './redirector';
import { orRefuse } from './refusal';
import { codeHashOf } from './secrets';

export const requestProvisioningCode = async (deps: DevicesDeps, domain: DomainName, category: CategoryId): Promise<IssuedCode> => {
  orRefuse(Domain.categoryForProvisioning(await loadDomain(deps, domain), category));
  const issued = await deps.redirector.issueCode(deps.settings.publicUrl);
  const codeHash = codeHashOf(deps.secrets, issued.code);
  const domainState = await loadDomain(deps, domain);
  const assigned = await handle(
    deps.events,
    DeviceCode.streamName(codeHash),
    deviceCodeAggregate,
    { type: 'AssignDeviceCode', codeHash, domain, category, domainState, expiresAt: issued.expiresAt, now: nowOf(deps.clock) },
    { random: deps.random, metadata: metadataOf(`users:${domain}`) },
  );
  if (assigned._tag === 'Left') await deps.redirector.revokeCode(issued.code).catch(() => undefined);
  orRefuse(assigned);
  return issued;
};
