/**
 * Admin HTTP (SPEC §5.5): the administrators of one domain, made, listed and revoked by the
 * global admin (403 for a domain admin); and `GET /whoami`, which says which kind a token is. A new admin's token is in the answer of `POST`
 * only; it is kept as a keyed hash.
 */
import type { FastifyInstance } from 'fastify';
import * as t from 'io-ts';
import type { DevicesDeps } from '../../application/devices/deps';
import { createDomainAdmin, listDomainAdmins, revokeDomainAdmin } from '../../application/devices/domain-admins';
import { ADMIN_TAGS, adminAuthenticator, PageQuery, pageRequest, sendPage } from './admin-kit';
import { DisplayNameInput, DomainInput, IdInput } from './codecs';
import { route } from '../http/route';

const DomainParams = t.type({ domain: DomainInput });

export const adminDomainAdminRoutes = (deps: DevicesDeps, adminToken: string) => async (app: FastifyInstance) => {
  const admin = { tags: ADMIN_TAGS, security: 'bearer', auth: adminAuthenticator(deps, adminToken, { globalOnly: 'managing domain administrators' }) };

  route(
    app,
    {
      tags: ADMIN_TAGS,
      security: 'bearer',
      auth: adminAuthenticator(deps, adminToken),
      method: 'GET',
      url: '/whoami',
      summary: 'Who the token is: the global admin, or the administrator of one domain',
      responses: {
        200: {
          description: '{kind: "global"} or {kind: "domain", id, domain}',
          schema: t.union([t.type({ kind: t.literal('global') }), t.type({ kind: t.literal('domain'), id: t.string, domain: t.string })]),
        },
      },
    },
    async ({ principal }) => (principal.kind === 'global' ? { kind: 'global' } : { kind: 'domain', id: principal.adminId, domain: principal.domain }),
  );

  route(
    app,
    {
      ...admin,
      method: 'POST',
      url: '/domains/:domain/admins',
      summary: 'Make an administrator of one domain (global admin only); its token is shown once',
      params: DomainParams,
      body: t.type({ name: DisplayNameInput }),
      responses: {
        201: { description: 'made; the token is in this answer only', schema: t.type({ id: t.string, name: t.string, token: t.string }) },
        403: { description: 'a domain admin may not make admins' },
        404: { description: 'no such domain' },
      },
    },
    async ({ params, body, reply, principal }) => {
      const made = await createDomainAdmin(deps, principal, params.domain, body.name);
      reply.code(201);
      return made;
    },
  );

  route(
    app,
    {
      ...admin,
      method: 'GET',
      url: '/domains/:domain/admins',
      summary: 'The active administrators of a domain, in the order they were made (never a token)',
      params: DomainParams,
      query: t.type(PageQuery),
      responses: {
        200: { description: 'X-Next-Cursor when there are more', schema: t.array(t.type({ id: t.string, name: t.string, createdAt: t.string })) },
        403: { description: 'for the global admin only' },
        404: { description: 'no such domain' },
      },
    },
    async ({ params, query, reply, principal }) => sendPage(reply, await listDomainAdmins(deps, principal, params.domain, pageRequest(query))),
  );

  route(
    app,
    {
      ...admin,
      method: 'DELETE',
      url: '/domains/:domain/admins/:id',
      summary: "Revoke a domain administrator: its token stops working at once, on every node",
      params: t.type({ domain: DomainInput, id: IdInput }),
      responses: { 204: { description: 'revoked' }, 403: { description: 'for the global admin only' }, 404: { description: 'no such administrator in this domain' } },
    },
    async ({ params, principal }) => {
      await revokeDomainAdmin(deps, principal, params.domain, params.id);
      return undefined;
    },
  );
};
