/**
 * Refusals of the Devices handlers as the protocols answer them: an RFC 9457 problem on
 * HTTP (with `Retry-After` where the handler says when), an error result on the WebSocket.
 */
import type { FastifyInstance } from 'fastify';
import { Refusal } from '../../application/devices/refusal';
import { HttpProblem } from '../http/problem';
import { route, type RouteInput, type RouteSpec } from '../http/route';
import { WsError } from '../ws/json-session';

export const problemOf = (refusal: Refusal): HttpProblem =>
  new HttpProblem(refusal.code, refusal.detail, refusal.retryAfterSeconds === undefined ? {} : { headers: { 'retry-after': String(refusal.retryAfterSeconds) } });

export const wsErrorOf = (refusal: Refusal): WsError =>
  new WsError(refusal.code === 'device-owned-by-other-domain' ? 'conflict' : refusal.code, refusal.detail);

/** rethrow a Refusal as what `as` makes of it */
export const translating = async <A>(work: () => Promise<A> | A, as: (refusal: Refusal) => Error): Promise<A> => {
  try {
    return await work();
  } catch (error) {
    throw error instanceof Refusal ? as(error) : error;
  }
};

/** `route()` whose authenticator and handler may throw Refusals */
export function devicesRoute<Body = undefined, Query = undefined, Params = undefined, Principal = undefined>(
  app: FastifyInstance,
  spec: RouteSpec<Body, Query, Params, Principal>,
  handler: (input: RouteInput<Body, Query, Params, Principal>) => Promise<unknown>,
): void {
  const auth = spec.auth;
  route(app, { ...spec, ...(auth ? { auth: (request) => translating(() => auth(request), problemOf) } : {}) }, (input) => translating(() => handler(input), problemOf));
}
