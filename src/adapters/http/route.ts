/**
 * One way to declare a route: its codecs (decoded with io-ts, documented in OpenAPI), its
 * authentication (checked in onRequest, so before the body is even read: a bad token is
 * 401 whatever the body), and a handler that receives decoded values only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type * as t from 'io-ts';
import { toJsonSchema } from './codec-schema';
import { decodeOrProblem } from './decode';
import { openApiResponses, type Responses } from './openapi-responses';
import { HttpProblem } from './problem';

/** Resolves who is calling, or throws HttpProblem('unauthorized' | 'forbidden'). */
export type Authenticator<Principal> = (request: FastifyRequest) => Promise<Principal> | Principal;

const principals = new WeakMap<FastifyRequest, unknown>();

export interface RouteSpec<Body, Query, Params, Principal> {
  readonly method: HTTPMethods;
  readonly url: string;
  readonly summary: string;
  readonly tags?: readonly string[];
  readonly auth?: Authenticator<Principal>;
  /** the security scheme name for OpenAPI (`bearer`, `device`) */
  readonly security?: string;
  readonly body?: t.Type<Body, unknown, unknown>;
  readonly query?: t.Type<Query, unknown, unknown>;
  readonly params?: t.Type<Params, unknown, unknown>;
  /** content types of the body other than JSON (documentation) */
  readonly consumes?: readonly string[];
  /**
   * what the route answers: its successes with their schemas, and the problems only its
   * handler knows of (403, 409, 429, …). The problems that follow from the route's shape
   * (400, 413, 415 for a body; 400 for a query; 400, 404 for path parameters; 401 for a
   * credential; 431 and 503 for any) are added, documented as problem+json.
   */
  readonly responses?: Responses;
}

export interface RouteInput<Body, Query, Params, Principal> {
  readonly body: Body;
  readonly query: Query;
  readonly params: Params;
  readonly principal: Principal;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

export function route<Body = undefined, Query = undefined, Params = undefined, Principal = undefined>(
  app: FastifyInstance,
  spec: RouteSpec<Body, Query, Params, Principal>,
  handler: (input: RouteInput<Body, Query, Params, Principal>) => Promise<unknown>,
): void {
  const response = openApiResponses(spec.responses ?? {}, {
    method: spec.method,
    body: spec.body !== undefined,
    query: spec.query !== undefined,
    params: spec.params !== undefined,
    auth: spec.auth !== undefined,
  });
  app.route({
    method: spec.method,
    url: spec.url,
    schema: {
      summary: spec.summary,
      ...(spec.tags ? { tags: [...spec.tags] } : {}),
      ...(spec.security ? { security: [{ [spec.security]: [] }] } : {}),
      ...(spec.body ? { body: toJsonSchema(spec.body) } : {}),
      ...(spec.query ? { querystring: toJsonSchema(spec.query) } : {}),
      ...(spec.params ? { params: toJsonSchema(spec.params) } : {}),
      ...(spec.consumes ? { consumes: [...spec.consumes] } : {}),
      response,
    },
    onRequest: spec.auth
      ? async (request) => {
          principals.set(request, await spec.auth!(request));
        }
      : undefined,
    handler: async (request, reply) => {
      const params = spec.params ? decodeOrProblem(spec.params, request.params, 'path') : (undefined as Params);
      const query = spec.query ? decodeOrProblem(spec.query, request.query ?? {}, 'query') : (undefined as Query);
      const body = spec.body ? decodeOrProblem(spec.body, request.body, 'body') : (undefined as Body);
      const result = await handler({ body, query, params, principal: principals.get(request) as Principal, request, reply });
      if (reply.sent) return reply;
      if (result === undefined) {
        if (reply.statusCode === 200) reply.code(204);
        return reply.send();
      }
      return result;
    },
  });
}

/** The token of `Authorization: <scheme> <token>`, or undefined. */
export function authorizationToken(request: FastifyRequest, scheme: string): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const [given, ...rest] = header.trim().split(/\s+/);
  if (!given || given.toLowerCase() !== scheme.toLowerCase() || rest.length !== 1) return undefined;
  return rest[0];
}

export function unauthorized(detail = 'missing or invalid credentials', scheme = 'Bearer'): HttpProblem {
  return new HttpProblem('unauthorized', detail, { headers: { 'www-authenticate': `${scheme} realm="zerotouch"` } });
}
