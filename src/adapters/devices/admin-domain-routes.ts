/** Admin HTTP (SPEC §5.3): domains and their categories. */
import type { FastifyInstance } from 'fastify';
import * as t from 'io-ts';
import type { DevicesDeps } from '../../application/devices/deps';
import { addCategory, categoriesOf, createDomain, listDomains, setCategoryProvisioning } from '../../application/devices/domains';
import { ADMIN_TAGS, adminAuthenticator, PageQuery, pageRequest, sendPage } from './admin-kit';
import { AppPasswordInput, CategoryInput, DisplayNameInput, DomainInput } from './codecs';
import { route } from '../http/route';

const Category = t.type({ id: t.string, name: t.string, provisioning: t.boolean });

export const adminDomainRoutes = (deps: DevicesDeps, adminToken: string) => async (app: FastifyInstance) => {
  const admin = { tags: ADMIN_TAGS, security: 'bearer', auth: adminAuthenticator(deps, adminToken) };
  const DomainParams = t.type({ domain: DomainInput });

  route(
    app,
    {
      ...admin,
      auth: adminAuthenticator(deps, adminToken, { globalOnly: 'creating domains' }),
      method: 'POST',
      url: '/domains',
      summary: 'Create a domain with the app password its Users logs in with',
      body: t.type({ name: DomainInput, appPassword: AppPasswordInput }),
      responses: { 201: { description: 'created', schema: t.type({ name: t.string }) }, 403: { description: 'for the global admin only' }, 409: { description: 'the domain exists' } },
    },
    async ({ body, reply, principal }) => {
      await createDomain(deps, principal, body.name, body.appPassword);
      reply.code(201);
      return { name: body.name };
    },
  );

  route(
    app,
    {
      ...admin,
      method: 'GET',
      url: '/domains',
      summary: 'Every domain, by name',
      query: t.type(PageQuery),
      responses: {
        200: { description: 'by name; X-Next-Cursor when there are more', schema: t.array(t.type({ name: t.string, createdAt: t.string })) },
      },
    },
    async ({ query, reply, principal }) => sendPage(reply, await listDomains(deps, principal, pageRequest(query))),
  );

  route(
    app,
    {
      ...admin,
      method: 'POST',
      url: '/domains/:domain/categories',
      summary: 'Add a category to a domain, enabled for provisioning or not',
      params: DomainParams,
      body: t.type({ id: CategoryInput, name: DisplayNameInput, provisioning: t.boolean }),
      responses: { 201: { description: 'added', schema: Category }, 404: { description: 'no such domain' }, 409: { description: 'the id is taken' } },
    },
    async ({ params, body, reply, principal }) => {
      await addCategory(deps, principal, params.domain, body.id, body.name, body.provisioning);
      reply.code(201);
      return { id: body.id, name: body.name, provisioning: body.provisioning };
    },
  );

  route(
    app,
    {
      ...admin,
      method: 'GET',
      url: '/domains/:domain/categories',
      summary: 'The categories of a domain',
      params: DomainParams,
      responses: { 200: { description: 'in the order they were added', schema: t.array(Category) }, 404: { description: 'no such domain' } },
    },
    async ({ params, principal }) => categoriesOf(deps, principal, params.domain),
  );

  route(
    app,
    {
      ...admin,
      method: 'PATCH',
      url: '/domains/:domain/categories/:category',
      summary: 'Enable or disable a category for provisioning',
      params: t.type({ domain: DomainInput, category: CategoryInput }),
      body: t.type({ provisioning: t.boolean }),
      responses: { 204: { description: 'changed' }, 404: { description: 'no such domain or category' } },
    },
    async ({ params, body, principal }) => {
      await setCategoryProvisioning(deps, principal, params.domain, params.category, body.provisioning);
      return undefined;
    },
  );
};
