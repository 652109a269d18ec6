/**
 * The answers an operation documents: its own successes, and the problems it can answer
 * derived from what the route is (a body, a query, path parameters, a credential) so that
 * no route has to remember them. Every problem is RFC 9457 problem details with our
 * stable `code` (SPEC §3), as `problem.ts` writes it.
 */
import type { HTTPMethods } from 'fastify';
import type * as t from 'io-ts';
import { toJsonSchema, type JsonSchema } from './codec-schema';
import { ANSWERS, type ProblemCode } from '../refusals';

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: t.Mixed;
  /** the schema as JSON Schema, for answers no codec describes */
  readonly jsonSchema?: JsonSchema;
  /** the media type of the answer (default JSON, or problem+json for a problem); several when it depends */
  readonly contentType?: string | readonly string[];
}

export type Responses = Readonly<Record<number, ResponseSpec>>;

const CODES = Object.keys(ANSWERS) as ProblemCode[];

/** the problem+json body of an answer of this status */
export const problemSchema = (status: number): JsonSchema => ({
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'https://zerotouch.dev/problems/<code>' },
    title: { type: 'string', minLength: 1 },
    status: { type: 'integer', enum: [status] },
    detail: { type: 'string', minLength: 1 },
    code: { type: 'string', enum: CODES },
    instance: { type: 'string', description: 'the path asked for' },
    errors: { type: 'array', items: { type: 'string' }, description: 'validation-failed: one line per wrong field' },
  },
});

export const PROBLEM_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'validation-failed: the request is not valid (the body is no JSON, nests too deep, or a field, query or path parameter is wrong; `errors` names them)',
  401: 'unauthorized: the credential is missing or wrong (see WWW-Authenticate)',
  403: 'forbidden: not allowed for this credential',
  404: 'not-found: no such resource',
  409: 'conflict: the request contradicts what exists',
  413: 'payload-too-large: the body is over 64 KiB',
  415: 'unsupported-media-type: the body is not of a type this route takes',
  429: 'rate-limited: too many attempts; see Retry-After',
  431: 'payload-too-large: the request line and headers are over 16 KiB',
  502: 'bad-gateway: an upstream service refused or answered nonsense',
  503: 'unavailable: the event store or an upstream service is not reachable (see Retry-After), or the server is shutting down',
};

/** what fastify itself answers to a request that arrives while the server closes */
const CLOSING_SCHEMA: JsonSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, statusCode: { type: 'integer', enum: [503] } },
};

export const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export interface RouteShape {
  readonly method: HTTPMethods | readonly HTTPMethods[];
  readonly body?: boolean;
  readonly query?: boolean;
  readonly params?: boolean;
  readonly auth?: boolean;
}

/** the problems any route of this shape can answer, whatever its handler does */
export function derivedProblems(shape: RouteShape): number[] {
  const methods = Array.isArray(shape.method) ? shape.method : [shape.method as HTTPMethods];
  const statuses = new Set<number>([431, 503]);
  // a body is parsed (and refused) whenever one is sent, whether the route reads it or not
  if (methods.some((m) => BODY_METHODS.has(m)) || shape.body) [400, 413, 415].forEach((s) => statuses.add(s));
  if (shape.query) statuses.add(400);
  // a path parameter names something: it may be malformed, or not exist
  if (shape.params) [400, 404].forEach((s) => statuses.add(s));
  if (shape.auth) statuses.add(401);
  return [...statuses];
}

/** the `response` of a fastify route schema (rendered by @fastify/swagger) */
export function openApiResponses(own: Responses, shape: RouteShape): Record<string, unknown> {
  const all: Record<number, ResponseSpec> = {};
  for (const status of derivedProblems(shape)) all[status] = { description: PROBLEM_DESCRIPTIONS[status] ?? 'a problem' };
  for (const [status, spec] of Object.entries(own)) all[Number(status)] = spec;
  const response: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(all)) {
    const status = Number(key);
    if (status >= 400) {
      const content = contentOf(spec.contentType ?? 'application/problem+json', spec.schema ? toJsonSchema(spec.schema) : (spec.jsonSchema ?? problemSchema(status)));
      if (status === 503) content['application/json'] = { schema: CLOSING_SCHEMA };
      response[key] = { description: spec.description, content };
      continue;
    }
    const schema = spec.schema ? toJsonSchema(spec.schema) : spec.jsonSchema;
    // `type: 'null'`: @fastify/swagger writes an answer without content
    response[key] = schema ? { description: spec.description, content: contentOf(spec.contentType ?? 'application/json', schema) } : { description: spec.description, type: 'null' };
  }
  return response;
}

const contentOf = (types: string | readonly string[], schema: JsonSchema): Record<string, unknown> =>
  Object.fromEntries((typeof types === 'string' ? [types] : types).map((type) => [type, { schema }]));
