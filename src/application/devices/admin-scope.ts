/**
 * Who is calling an admin route of Devices (SPEC §5.5): the global admin, or the
 * administrator of one domain. A domain admin sees only its domain: anything of another
 * domain is answered exactly as if it did not exist, which the helpers here arrange by
 * handing the caller's code the state of "nothing" instead of the foreign one.
 */
import type { DomainName, Id } from '../../domain';
import type { Actor } from './deps';
import { Refusal } from '../refusal';

export type AdminScope = { readonly kind: 'global' } | { readonly kind: 'domain'; readonly adminId: Id; readonly domain: DomainName };

export const GLOBAL_ADMIN: AdminScope = { kind: 'global' };

/** what the events' metadata records */
export const actorOf = (scope: AdminScope): Actor => (scope.kind === 'global' ? 'admin:global' : `admin:${scope.adminId}`);

/** may this caller see anything of `domain`? */
export const sees = (scope: AdminScope, domain: string | null | undefined): boolean =>
  scope.kind === 'global' || (domain !== null && domain !== undefined && scope.domain === domain);

/** the state when the caller may see `domain`, else `nothing` (so the caller's own refusal says "no such …") */
export const visibleOr = <S>(scope: AdminScope, domain: string | null | undefined, state: S, nothing: S): S => (sees(scope, domain) ? state : nothing);

/**
 * The domain a list is filtered by: the caller's filter for the global admin; for a domain
 * admin its own domain, or `null` (nothing to list) when the filter names another.
 */
export const listDomain = (scope: AdminScope, filter: string | undefined): string | undefined | null => {
  if (scope.kind === 'global') return filter;
  return filter === undefined || filter === scope.domain ? scope.domain : null;
};

/** only the global admin may: 403 for a domain admin */
export const onlyGlobal = (scope: AdminScope, what: string): void => {
  if (scope.kind !== 'global') throw new Refusal('forbidden', `${what} is for the global admin only`);
};
