/**
 * RFC 9457 problem details: every error any HTTP route answers, with the stable
 * kebab-case `code` of SPEC §3; its status and title come from the one table of
 * `../refusals.ts`. A handler's `Refusal` becomes one here (`problemOf`).
 */
import type { FastifyReply } from 'fastify';
import type { Refusal } from '../../application/refusal';
import { ANSWERS, type ProblemCode } from '../refusals';

export type { ProblemCode };

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
    return this.options.status ?? ANSWERS[this.code].status;
  }
}

export function problemBody(code: ProblemCode, detail: string, status = ANSWERS[code].status, extensions: Record<string, unknown> = {}, instance?: string): ProblemBody {
  return { type: `${PROBLEM_BASE}${code}`, title: ANSWERS[code].title, status, detail, code, ...(instance ? { instance } : {}), ...extensions };
}

/** what `sendProblem` answers: an HttpProblem, or a refusal's problem (made without an Error: a guesser's refusals stay cheap) */
export type Problem = Pick<HttpProblem, 'code' | 'detail' | 'status' | 'options'>;

/** A handler's refusal as its problem: the table's status, `Retry-After` when it says when, its extension members. */
export const problemOf = (refusal: Refusal): Problem => ({
  code: refusal.code,
  detail: refusal.detail,
  status: ANSWERS[refusal.code].status,
  options: {
    ...(refusal.retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(refusal.retryAfterSeconds) } }),
    ...(refusal.extensions === undefined ? {} : { extensions: refusal.extensions }),
  },
});

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  for (const [name, value] of Object.entries(problem.options.headers ?? {})) reply.header(name, value);
  return reply
    .code(problem.status)
    .type('application/problem+json; charset=utf-8')
    .send(problemBody(problem.code, problem.detail, problem.status, problem.options.extensions, reply.request.url));
}
