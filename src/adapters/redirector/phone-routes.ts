/** What phones ask, without credentials: where to go after a reset, and where a code sends them. */
import type { FastifyInstance } from 'fastify';
import { phoneInit } from '../../application/redirector/phone-init';
import { redeemCode } from '../../application/redirector/redeem-code';
import { ProvisioningCode } from '../../domain';
import { HttpProblem } from '../http/problem';
import { route } from '../http/route';
import { InitAnswer, PhoneInitBody, RedeemAnswer, RedeemBody } from './codecs';
import { problems } from './problems';
import { problemOf } from './refusal';
import type { RedirectorServices } from './services';

/**
 * The refusals wrong guesses get, made once: a guesser's requests are the ones to keep
 * cheapest, and an error's stack is captured when it is made, not when it is thrown.
 */
const UNKNOWN_CODE = problemOf(ProvisioningCode.unknownCode);
const rateLimited = new Map<number, HttpProblem>();
const rateLimitedFor = (seconds: number): HttpProblem => {
  let problem = rateLimited.get(seconds);
  if (problem === undefined) {
    problem = new HttpProblem('rate-limited', `too many wrong codes from this address or for this phone; try again in ${seconds} s`, {
      headers: { 'retry-after': String(seconds) },
    });
    rateLimited.set(seconds, problem);
  }
  return problem;
};

export function phoneRoutes(app: FastifyInstance, { deps, throttle, metrics }: RedirectorServices): void {
  const tags = ['redirector: phone'];

  route(
    app,
    {
      method: 'POST',
      url: '/phone/init',
      summary: 'A new or reset phone asks what to do: prompt for a code, or go to the Devices that claimed it',
      tags,
      body: PhoneInitBody,
      responses: { 200: { description: 'what the phone does next', schema: InitAnswer }, ...problems(400, 413) },
    },
    async ({ body }) => phoneInit(deps, body.mac),
  );

  route(
    app,
    {
      method: 'POST',
      url: '/phone/redeem',
      summary: 'A phone redeems the code a user typed and learns its Devices URL',
      tags,
      body: RedeemBody,
      responses: { 200: { description: 'where the phone provisions', schema: RedeemAnswer }, ...problems(400, 404, 413, 429) },
    },
    async ({ body, request }) => {
      const result = await redeemCode(deps, throttle, { ...body, sourceIp: request.ip });
      switch (result.outcome) {
        case 'redeemed':
          metrics.redeemed.inc({ redeem: result.first ? 'first' : 'repeat' });
          return { devicesUrl: result.devicesUrl };
        case 'refused':
          metrics.refused.inc();
          throw result.error === ProvisioningCode.unknownCode ? UNKNOWN_CODE : problemOf(result.error);
        case 'rate-limited':
          metrics.rateLimited.inc();
          throw rateLimitedFor(result.retryAfterSeconds);
      }
    },
  );
}
