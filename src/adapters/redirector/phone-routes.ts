/** What phones ask, without credentials: where to go after a reset, and where a code sends them. */
import type { FastifyInstance } from 'fastify';
import { phoneInit } from '../../application/redirector/phone-init';
import { redeemCode } from '../../application/redirector/redeem-code';
import { route } from '../http/route';
import { InitAnswer, PhoneInitBody, RedeemAnswer, RedeemBody } from './codecs';
import { problems } from './problems';
import type { RedirectorServices } from './services';

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
          throw result.refusal;
        case 'rate-limited':
          metrics.rateLimited.inc();
          throw result.refusal;
      }
    },
  );
}
