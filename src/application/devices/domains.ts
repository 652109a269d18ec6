/**
 * Domains and their categories (SPEC §5.3): created by the admin, decided on the domain's
 * stream. The app password is sealed before it reaches the domain; it is unsealed only to
 * check an apps login. Queries of a domain read its stream: it holds a handful of events;
 * the list of all domains reads `devices.domains`.
 */
import { Tenant, parseSealed, type CategoryId, type DisplayName, type DomainName } from '../../domain';
import { handle, load } from '../command-handler';
import type { JsonObject } from '../ports/event-store';
import { actorOf, onlyGlobal, sees, type AdminScope } from './admin-scope';
import { domainAggregate } from './aggregates';
import { metadataOf, nowOf, type DevicesDeps } from './deps';
import { readIndex, type Page, type PageRequest } from './paging';
import { DOMAIN_LIST, DOMAINS, type DomainDoc } from './projections/domains';
import { orRefuse, Refusal } from '../refusal';

type Deps = Pick<DevicesDeps, 'events' | 'clock' | 'random' | 'secrets'>;

/** a domain the caller may not see is answered as one that does not exist */
const refuseUnseen = (scope: AdminScope, domain: DomainName): void => {
  if (!sees(scope, domain)) orRefuse(Tenant.existingDomain(Tenant.initialState, domain));
};

const decideOnDomain = async (deps: Deps, scope: AdminScope, domain: DomainName, command: Tenant.Command): Promise<void> => {
  refuseUnseen(scope, domain);
  orRefuse(await handle(deps.events, Tenant.streamName(domain), domainAggregate, command, { random: deps.random, metadata: metadataOf(actorOf(scope)) }));
};

export const createDomain = (deps: Deps, scope: AdminScope, domain: DomainName, appPassword: string): Promise<void> => {
  onlyGlobal(scope, 'creating domains');
  return decideOnDomain(deps, scope, domain, {
    type: 'CreateDomain',
    domain,
    appPasswordSealed: orRefuse(parseSealed(deps.secrets.seal(appPassword))),
    now: nowOf(deps.clock),
  });
};

export const addCategory = (deps: Deps, scope: AdminScope, domain: DomainName, categoryId: CategoryId, name: DisplayName, provisioning: boolean): Promise<void> =>
  decideOnDomain(deps, scope, domain, { type: 'AddCategory', domain, categoryId, name, provisioning, now: nowOf(deps.clock) });

export const setCategoryProvisioning = (deps: Deps, scope: AdminScope, domain: DomainName, categoryId: CategoryId, provisioning: boolean): Promise<void> =>
  decideOnDomain(deps, scope, domain, { type: 'SetCategoryProvisioning', domain, categoryId, provisioning, now: nowOf(deps.clock) });

/** the domain's state, folded from its stream */
export const loadDomain = async (deps: Pick<DevicesDeps, 'events'>, domain: DomainName): Promise<Tenant.State> =>
  (await load(deps.events, Tenant.streamName(domain), domainAggregate)).state;

/** every category of an existing domain, in the order they were added */
export const categoriesOf = async (deps: Pick<DevicesDeps, 'events'>, scope: AdminScope, domain: DomainName): Promise<readonly Tenant.Category[]> => {
  refuseUnseen(scope, domain);
  return orRefuse(Tenant.existingDomain(await loadDomain(deps, domain), domain)).categories;
};

/** every domain, by name (from the read model: one just created may show a moment later) */
export const listDomains = async (deps: Pick<DevicesDeps, 'readModels'>, scope: AdminScope, page: PageRequest): Promise<Page<DomainDoc>> => {
  if (scope.kind === 'domain') {
    // a domain admin's list is its own domain, on the first page
    const own = page.cursor === undefined ? await deps.readModels.get<DomainDoc & JsonObject>(DOMAINS, DOMAIN_LIST, scope.domain) : undefined;
    return { items: own ? [{ name: own.name, createdAt: own.createdAt }] : [], next: undefined };
  }
  const index = await readIndex<DomainDoc & JsonObject>(deps.readModels, DOMAINS, DOMAIN_LIST, '', page);
  return { items: index.items.map(({ doc }) => ({ name: doc.name, createdAt: doc.createdAt })), next: index.next };
};

/** the categories Users may offer: those enabled for provisioning */
export const provisioningCategoriesOf = async (deps: Pick<DevicesDeps, 'events'>, domain: DomainName): Promise<readonly Tenant.Category[]> =>
  Tenant.provisioningCategories(await loadDomain(deps, domain));

/** the app password of a domain, for checking an apps login; undefined for an unknown domain */
export const appPasswordOf = async (deps: Pick<DevicesDeps, 'events' | 'secrets'>, domain: DomainName): Promise<string | undefined> => {
  const state = await loadDomain(deps, domain);
  if (state.status !== 'created') return undefined;
  const password = deps.secrets.unseal(state.appPasswordSealed);
  if (password === undefined) throw new Refusal('unavailable', `the app password of ${domain} cannot be unsealed: was the server secret changed?`);
  return password;
};
