/** What every admin route of Devices shares: who is calling, paging, the route tag. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as t from 'io-ts';
import { onlyGlobal, type AdminScope } from '../../application/devices/admin-scope';
import type { DevicesDeps } from '../../application/devices/deps';
import { domainAdminTokenHashOf, resolveAdminToken } from '../../application/devices/domain-admins';
import type { Page } from '../../application/devices/paging';
import { MAX_PAGE } from '../../application/devices/paging';
import { authorizationToken, unauthorized } from '../http/route';
import { limitInput, optional } from './codecs';

export const ADMIN_TAGS = ['devices: admin'];

/** the longest Bearer token looked at (a domain admin's is about 80 characters) */
const MAX_TOKEN = 512;

/**
 * `Authorization: Bearer <token>`, checked before the body is read: the global admin
 * token, or an active domain admin's (its stream read at every request, so a revoked
 * token is 401 at once on every node); anything else is 401.
 */
export const adminAuthenticator = (deps: Pick<DevicesDeps, 'events' | 'secrets'>, adminToken: string, options: { readonly globalOnly?: string } = {}) => {
  const globalHash = domainAdminTokenHashOf(deps.secrets, adminToken);
  return async (request: FastifyRequest): Promise<AdminScope> => {
    const token = authorizationToken(request, 'Bearer');
    const scope = token === undefined || token.length > MAX_TOKEN ? undefined : await resolveAdminToken(deps, globalHash, token);
    if (scope === undefined) throw unauthorized('send Authorization: Bearer <admin token> (the global admin token or a domain admin token)');
    // before the body is read, like the 401
    if (options.globalOnly !== undefined) onlyGlobal(scope, options.globalOnly);
    return scope;
  };
};

/** `?limit=` (default 100, at most 1000) and `?cursor=` (from the `X-Next-Cursor` of the page before) */
export const PageQuery = { limit: optional(limitInput(MAX_PAGE)), cursor: optional(t.string) };

export const pageRequest = (query: { limit?: number | undefined; cursor?: string | undefined }) => ({
  limit: query.limit ?? 100,
  ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
});

/** the page's items; `X-Next-Cursor` when there may be more */
export const sendPage = <T>(reply: FastifyReply, page: Page<T>): readonly T[] => {
  if (page.next !== undefined) reply.header('x-next-cursor', page.next);
  return page.items;
};
