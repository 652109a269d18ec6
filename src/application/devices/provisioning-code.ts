/**
 * `GetProvisioningCode` (SPEC §2 step 3): Devices checks the category, asks the Redirector
 * for a code for its own URL, and records the code (keyed hash) with domain and category
 * on the code's stream. Should the record be refused (the category was disabled in
 * between), the code is revoked at the Redirector again.
 */
import { DeviceCode, Tenant, type CategoryId, type DomainName } from '../../domain';
import { handle } from '../command-handler';
import { deviceCodeAggregate } from './aggregates';
import { metadataOf, nowOf, type DevicesDeps } from './deps';
import { loadDomain } from './domains';
import type { IssuedCode } from './redirector';
import { orRefuse, Refusal } from '../refusal';
import { codeHashOf } from './secrets';

export const requestProvisioningCode = async (deps: DevicesDeps, domain: DomainName, category: CategoryId): Promise<IssuedCode> => {
  orRefuse(Tenant.categoryForProvisioning(await loadDomain(deps, domain), category));
  const issued = await deps.redirector.issueCode(deps.settings.publicUrl);
  await assign(deps, domain, category, issued);
  return issued;
};

/** The most codes one request may ask for (the Redirector's batch limit). */
export const MAX_CODES_AT_ONCE = 1000;

/** `GetProvisioningCodes` (an addition): `count` codes in one Redirector request, for a rollout. */
export const requestProvisioningCodes = async (deps: DevicesDeps, domain: DomainName, category: CategoryId, count: number): Promise<readonly IssuedCode[]> => {
  if (!Number.isInteger(count) || count < 1 || count > MAX_CODES_AT_ONCE) {
    throw new Refusal('validation-failed', `count must be a whole number from 1 to ${MAX_CODES_AT_ONCE}`);
  }
  orRefuse(Tenant.categoryForProvisioning(await loadDomain(deps, domain), category));
  const issued = await deps.redirector.issueCodes(deps.settings.publicUrl, count);
  // each code's record is its own stream: the store writes them together
  const outcomes = await Promise.allSettled(issued.map((code) => assign(deps, domain, category, code)));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) {
    // hand out all of them or none: revoke the ones recorded, too
    await Promise.all(issued.map((code) => deps.redirector.revokeCode(code.code).catch(() => undefined)));
    throw failed.reason;
  }
  return issued;
};

/** Record a code Devices got from the Redirector with its domain and category; revoke it when refused. */
async function assign(deps: DevicesDeps, domain: DomainName, category: CategoryId, issued: IssuedCode): Promise<void> {
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
}
