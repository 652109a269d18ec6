/** What every admin route of Devices shares: the admin token, paging, the route tag. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as t from 'io-ts';
import type { Page } from '../../application/devices/paging';
import { MAX_PAGE } from '../../application/devices/paging';
import { authorizationToken, unauthorized } from '../http/route';
import { constantTimeEqual } from '../system/secrets';
import { limitInput, optional } from './codecs';

export const ADMIN_TAGS = ['devices: admin'];

/** `Authorization: Bearer <admin token>`, checked before the body is read */
export const adminAuthenticator =
  (adminToken: string) =>
  (request: FastifyRequest): 'admin' => {
    const token = authorizationToken(request, 'Bearer');
    if (token === undefined || !constantTimeEqual(token, adminToken)) throw unauthorized('send Authorization: Bearer <admin token>');
    return 'admin';
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
