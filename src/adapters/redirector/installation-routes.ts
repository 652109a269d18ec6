/** What a Devices installation asks with its API key: issue and revoke codes, claim phones by MAC. */
import type { FastifyInstance } from 'fastify';
import { claimMacs } from '../../application/redirector/claim-macs';
import { issueCode, issueCodes } from '../../application/redirector/issue-code';
import { revokeCode } from '../../application/redirector/revoke-code';
import { route } from '../http/route';
import { installationAuth } from './auth';
import { ClaimedAnswer, ClaimsBody, CodeParams, IssueCodeBody, IssueCodesBody, IssuedAnswer, IssuedBatchAnswer } from './codecs';
import { countPurged } from './metrics';
import { problems } from './problems';
import type { RedirectorServices } from './services';

export function installationRoutes(app: FastifyInstance, { deps, metrics, logger }: RedirectorServices): void {
  const auth = installationAuth(deps);
  const tags = ['redirector: installation'];

  route(
    app,
    {
      method: 'POST',
      url: '/codes',
      summary: 'Issue a provisioning code that sends phones to devicesUrl (at or below the registered URL); valid 7 days',
      tags,
      auth,
      security: 'bearer',
      body: IssueCodeBody,
      responses: { 201: { description: 'the code, shown once', schema: IssuedAnswer }, ...problems(400, 401, 403, 413) },
    },
    async ({ body, principal, reply }) => {
      const issued = await issueCode(deps, principal, body.devicesUrl);
      metrics.issued.inc();
      reply.code(201);
      return issued;
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/codes/batch',
      summary: 'Issue up to 1,000 codes at once (a rollout for many users), each as POST /codes would',
      tags,
      auth,
      security: 'bearer',
      body: IssueCodesBody,
      responses: { 201: { description: 'the codes, shown once', schema: IssuedBatchAnswer }, ...problems(400, 401, 403, 413) },
    },
    async ({ body, principal, reply }) => {
      const codes = await issueCodes(deps, principal, body.devicesUrl, body.count);
      metrics.issued.inc(codes.length);
      reply.code(201);
      return { codes };
    },
  );

  route(
    app,
    {
      method: 'DELETE',
      url: '/codes/:code',
      summary: 'Revoke a code of this installation: it stops working at once and its data is deleted',
      tags,
      auth,
      security: 'bearer',
      params: CodeParams,
      responses: { 204: { description: 'revoked' }, ...problems(400, 401, 404) },
    },
    async ({ params, principal, reply }) => {
      const purge = await revokeCode(deps, principal.installationId, params.code);
      countPurged(metrics, purge);
      if (purge.deferred > 0) logger.warn({ installationId: principal.installationId }, 'revoked code left for the next purge: the read model did not catch up in time');
      reply.code(204);
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/claims',
      summary: 'Claim phones in advance by MAC: phone/init redirects them to this installation',
      tags,
      auth,
      security: 'bearer',
      body: ClaimsBody,
      responses: { 201: { description: 'the number of distinct MACs now claimed by this installation', schema: ClaimedAnswer }, ...problems(400, 401, 409, 413) },
    },
    async ({ body, principal, reply }) => {
      const claimed = await claimMacs(deps, principal, body.macs);
      reply.code(201);
      return claimed;
    },
  );
}
