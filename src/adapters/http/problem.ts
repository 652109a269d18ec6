/**
 * RFC 9457 problem details: every error any HTTP route answers, with the stable
 * kebab-case `code` of SPEC §3.
 */
import type { FastifyReply } from 'fastify';

export type ProblemCode =
  | 'validation-failed'
  | 'unknown-code'
  | 'rate-limited'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'device-owned-by-other-domain'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'method-not-allowed'
  | 'unavailable'
  | 'bad-gateway'
  | 'internal-error';

const TITLES: Record<ProblemCode, string> = {
  'validation-failed': 'The request is not valid',
  'unknown-code': 'Unknown code',
  'rate-limited': 'Too many attempts',
  unauthorized: 'Authentication required',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  conflict: 'Conflict',
  'device-owned-by-other-domain': 'The device belongs to another domain',
  'payload-too-large': 'The request body is too large',
  'unsupported-media-type': 'Unsupported media type',
  'method-not-allowed': 'Method not allowed',
  unavailable: 'Service unavailable',
  'bad-gateway': 'An upstream service failed',
  'internal-error': 'Internal error',
};

export const DEFAULT_STATUS: Record<ProblemCode, number> = {
  'validation-failed': 400,
  'unknown-code': 404,
  'rate-limited': 429,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'device-owned-by-other-domain': 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'method-not-allowed': 405,
  unavailable: 503,
  'bad-gateway': 502,
  'internal-error': 500,
};

export const PROBLEM_BASE = 'https://zerotouch.dev/problems/';

export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  readonly instance?: string;
  readonly [extension: string]: unknown;
}

/** Thrown anywhere in a route; the error handler answers it as problem+json. */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly options: { status?: number; headers?: Record<string, string>; extensions?: Record<string, unknown> } = {},
  ) {
    super(detail);
  }
  get status(): number {
    return this.options.status ?? DEFAULT_STATUS[this.code];
  }
}

export function problemBody(code: ProblemCode, detail: string, status = DEFAULT_STATUS[code], extensions: Record<string, unknown> = {}, instance?: string): ProblemBody {
  return { type: `${PROBLEM_BASE}${code}`, title: TITLES[code], status, detail, code, ...(instance ? { instance } : {}), ...extensions };
}

export function sendProblem(reply: FastifyReply, problem: HttpProblem): FastifyReply {
  for (const [name, value] of Object.entries(problem.options.headers ?? {})) reply.header(name, value);
  return reply
    .code(problem.status)
    .type('application/problem+json; charset=utf-8')
    .send(problemBody(problem.code, problem.detail, problem.status, problem.options.extensions, reply.request.url));
}
