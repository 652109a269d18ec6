/**
 * Who may call what: the operator with its token, an installation with its API key. Both
 * are checked in onRequest (before the body is read) and compared as keyed hashes in
 * constant time; the operator token is held only as its hash.
 */
import type { FastifyRequest } from 'fastify';
import { authenticateInstallation } from '../../application/redirector/authenticate-installation';
import type { RedirectorDeps } from '../../application/redirector/deps';
import { operatorTokenHashOf, sameDigest } from '../../application/redirector/secrets';
import type { ProvisioningCode } from '../../domain';
import { authorizationToken, unauthorized, type Authenticator } from '../http/route';

export type Operator = { readonly role: 'operator' };

export function operatorAuth(deps: Pick<RedirectorDeps, 'secrets'>, operatorToken: string): Authenticator<Operator> {
  const expected = operatorTokenHashOf(deps.secrets, operatorToken);
  return (request: FastifyRequest) => {
    const token = authorizationToken(request, 'Bearer');
    if (token === undefined || !sameDigest(operatorTokenHashOf(deps.secrets, token), expected)) {
      throw unauthorized('send the operator token as Authorization: Bearer <token>');
    }
    return { role: 'operator' };
  };
}

export function installationAuth(deps: Pick<RedirectorDeps, 'events' | 'secrets'>): Authenticator<ProvisioningCode.IssuingInstallation> {
  return async (request: FastifyRequest) => {
    const apiKey = authorizationToken(request, 'Bearer');
    const installation = apiKey === undefined ? undefined : await authenticateInstallation(deps, apiKey);
    if (installation === undefined) throw unauthorized("send the installation's API key as Authorization: Bearer <key>");
    return installation;
  };
}
