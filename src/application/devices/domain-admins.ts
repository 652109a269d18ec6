/**
 * Domain administrators (SPEC §5.5): made and revoked by the global admin, decided on the
 * admin's own stream. A token is `<adminId>.<43 characters of base64url>` (32 random
 * bytes from the Random port): the id names the one stream the token may belong to, so a
 * token works the moment it is made, and stops the moment it is revoked, on every node
 * (no read model to wait for); the random part is the secret, kept only as a keyed hash.
 */
import { timingSafeEqual } from 'node:crypto';
import * as E from 'fp-ts/Either';
import { Digest, Tenant, DomainAdmin, parseId, type DisplayName, type DomainName, type Id } from '../../domain';
import { handle, load } from '../command-handler';
import type { JsonObject } from '../ports/event-store';
import type { Secrets } from '../ports/secrets';
import { actorOf, onlyGlobal, type AdminScope } from './admin-scope';
import { domainAdminAggregate } from './aggregates';
import { awaitOwnWrite, metadataOf, nowOf, type DevicesDeps } from './deps';
import { loadDomain } from './domains';
import { readIndex, type Page, type PageRequest } from './paging';
import { ADMINS, DOMAIN_ADMINS, domainAdminPrefix, type DomainAdminDoc } from './projections/domain-admins';
import { orRefuse } from '../refusal';

const TOKEN_PURPOSE = 'devices domain admin token';
const TOKEN = /^([A-Za-z0-9][A-Za-z0-9._@+:-]{0,127})\.([A-Za-z0-9_-]{43})$/;

export const domainAdminTokenHashOf = (secrets: Secrets, token: string): Digest => {
  const hash = secrets.keyedHash(TOKEN_PURPOSE, token);
  if (!Digest.is(hash)) throw new Error('the keyed hash is not a digest');
  return hash;
};

const sameDigest = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export interface NewDomainAdmin {
  readonly id: Id;
  readonly name: DisplayName;
  /** shown once: only its keyed hash is kept */
  readonly token: string;
}

type Deps = Pick<DevicesDeps, 'events' | 'clock' | 'random' | 'secrets' | 'projections'>;

export const createDomainAdmin = async (deps: Deps, scope: AdminScope, domain: DomainName, name: DisplayName): Promise<NewDomainAdmin> => {
  onlyGlobal(scope, 'making domain administrators');
  const id = orRefuse(parseId(deps.random.uuid()));
  const token = `${id}.${deps.random.bytes(32).toString('base64url')}`;
  const domainState = await loadDomain(deps, domain);
  const command: DomainAdmin.Command = {
    type: 'CreateDomainAdmin',
    adminId: id,
    domain,
    name,
    tokenHash: domainAdminTokenHashOf(deps.secrets, token),
    domainState,
    now: nowOf(deps.clock),
  };
  const created = orRefuse(await handle(deps.events, DomainAdmin.streamName(id), domainAdminAggregate, command, { random: deps.random, metadata: metadataOf(actorOf(scope)) }));
  await awaitOwnWrite(deps, DOMAIN_ADMINS, created);
  return { id, name, token };
};

export const revokeDomainAdmin = async (deps: Deps, scope: AdminScope, domain: DomainName, adminId: Id): Promise<void> => {
  onlyGlobal(scope, 'revoking domain administrators');
  const command: DomainAdmin.Command = { type: 'RevokeDomainAdmin', adminId, domain, now: nowOf(deps.clock) };
  const revoked = orRefuse(await handle(deps.events, DomainAdmin.streamName(adminId), domainAdminAggregate, command, { random: deps.random, metadata: metadataOf(actorOf(scope)) }));
  await awaitOwnWrite(deps, DOMAIN_ADMINS, revoked);
};

/** the active administrators of an existing domain, in the order they were made (never a token) */
export const listDomainAdmins = async (deps: Pick<DevicesDeps, 'events' | 'readModels'>, scope: AdminScope, domain: DomainName, page: PageRequest): Promise<Page<DomainAdminDoc>> => {
  onlyGlobal(scope, 'listing domain administrators');
  orRefuse(Tenant.existingDomain(await loadDomain(deps, domain), domain));
  const index = await readIndex<DomainAdminDoc & JsonObject>(deps.readModels, DOMAIN_ADMINS, ADMINS, domainAdminPrefix(domain), page);
  return { items: index.items.map(({ doc }) => ({ id: doc.id, name: doc.name, createdAt: doc.createdAt })), next: index.next };
};

/** a well-formed hash compared against when there is no admin to compare with */
const NOBODY = 'x'.repeat(64);

/** the active domain admin whose token this is, its stream read now (so a revocation holds at once), or undefined */
const domainAdminOf = async (deps: Pick<DevicesDeps, 'events' | 'secrets'>, token: string, hash: Digest): Promise<AdminScope | undefined> => {
  const match = TOKEN.exec(token);
  const id = match ? parseId(match[1]!) : undefined;
  if (id === undefined || E.isLeft(id)) return undefined;
  const admin = DomainAdmin.activeAdmin((await load(deps.events, DomainAdmin.streamName(id.right), domainAdminAggregate)).state);
  if (!sameDigest(hash, admin?.tokenHash ?? NOBODY) || admin === undefined) return undefined;
  return { kind: 'domain', adminId: admin.adminId, domain: admin.domain };
};

/**
 * The admin a Bearer token stands for: the global admin (its token compared as keyed
 * hashes in constant time), an active domain admin, or undefined.
 */
export const resolveAdminToken = async (deps: Pick<DevicesDeps, 'events' | 'secrets'>, globalTokenHash: Digest, token: string): Promise<AdminScope | undefined> => {
  const hash = domainAdminTokenHashOf(deps.secrets, token);
  return sameDigest(hash, globalTokenHash) ? { kind: 'global' } : domainAdminOf(deps, token, hash);
};

/** is this an active domain admin's token? (the Redirector answers such a caller 403, not 401) */
export const isDomainAdminToken = async (deps: Pick<DevicesDeps, 'events' | 'secrets'>, token: string): Promise<boolean> =>
  (await domainAdminOf(deps, token, domainAdminTokenHashOf(deps.secrets, token))) !== undefined;
