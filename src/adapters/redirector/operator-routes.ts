/** The operator's routes: register installations, list them, rotate an installation's API key. */
import type { FastifyInstance } from 'fastify';
import { listInstallations } from '../../application/redirector/queries';
import { registerInstallation, rotateApiKey } from '../../application/redirector/register-installation';
import { route } from '../http/route';
import { operatorAuth } from './auth';
import { ApiKeyAnswer, InstallationListAnswer, InstallationListQuery, InstallationParams, RegisterInstallationBody, RegisteredAnswer } from './codecs';
import { problems } from './problems';
import type { RedirectorServices } from './services';

export function operatorRoutes(app: FastifyInstance, { deps, operatorToken, isDomainAdmin }: RedirectorServices): void {
  const auth = operatorAuth(deps, operatorToken, isDomainAdmin);
  const tags = ['redirector: operator'];

  route(
    app,
    {
      method: 'POST',
      url: '/installations',
      summary: 'Register a Devices installation; its API key is shown once',
      tags,
      auth,
      security: 'bearer',
      body: RegisterInstallationBody,
      responses: { 201: { description: 'registered', schema: RegisteredAnswer }, ...problems(400, 401, 409, 413) },
    },
    async ({ body, reply }) => {
      const registered = await registerInstallation(deps, body);
      reply.code(201);
      return registered;
    },
  );

  route(
    app,
    {
      method: 'GET',
      url: '/installations',
      summary: 'The registered installations, by id (read model: may trail a moment)',
      tags,
      auth,
      security: 'bearer',
      query: InstallationListQuery,
      responses: { 200: { description: 'a page of installations', schema: InstallationListAnswer }, ...problems(400, 401) },
    },
    async ({ query }) => listInstallations(deps.readModels, query.limit ?? 100, query.after),
  );

  route(
    app,
    {
      method: 'POST',
      url: '/installations/:id/api-key',
      summary: "Rotate an installation's API key: the new key is shown once, the old one stops working",
      tags,
      auth,
      security: 'bearer',
      params: InstallationParams,
      responses: { 201: { description: 'the new key', schema: ApiKeyAnswer }, ...problems(400, 401, 404) },
    },
    async ({ params, reply }) => {
      const rotated = await rotateApiKey(deps, params.id);
      reply.code(201);
      return rotated;
    },
  );
}
