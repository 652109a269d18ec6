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
import { HttpProblem } from '../http/problem';
import { authorizationToken, unauthorized, type Authenticator } from '../http/route';

export type Operator = { readonly role: 'operator' };

/**
 * The operator's routes. A domain administrator of Devices on the same event store (SPEC
 * §5.5) is known but not allowed: 403; any other token is 401.
 */
export function operatorAuth(
  deps: Pick<RedirectorDeps, 'secrets' | 'events'>,
  operatorToken: string,
  isDomainAdmin: (deps: Pick<RedirectorDeps, 'secrets' | 'events'>, token: string) => Promise<boolean> = async () => false,
): Authenticator<Operator> {
  const expected = operatorTokenHashOf(deps.secrets, operatorToken);
  return async (request: FastifyRequest) => {
    const token = authorizationToken(request, 'Bearer');
    if (token === undefined || !sameDigest(operatorTokenHashOf(deps.secrets, token), expected)) {
      if (token !== undefined && token.length <= 512 && (await isDomainAdmin(deps, token))) {
        throw new HttpProblem('forbidden', 'the operator routes are for the operator only, not for domain administrators');
      }
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
