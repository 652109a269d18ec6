/** Admin HTTP (SPEC §5.3, §5.4): phones, pre-claims, approvals, releases, the outbox. */
import type { FastifyInstance } from 'fastify';
import * as t from 'io-ts';
import type { DevicesDeps } from '../../application/devices/deps';
import { approveDevice, claimDevices, releaseDevice } from '../../application/devices/device-admin';
import { deviceDetails, listDevices } from '../../application/devices/device-queries';
import { listOutbox } from '../../application/devices/outbox-queries';
import { DeviceDetails, DeviceSummary, OutboxEntry } from './answers';
import { withSchema } from '../http/codec-schema';
import { PATTERNS } from '../http/patterns';
import { ADMIN_TAGS, adminAuthenticator, PageQuery, pageRequest, sendPage } from './admin-kit';
import { CategoryInput, DomainInput, MacInput, optional } from './codecs';
import { devicesRoute } from './refusals';

const State = t.keyof({ claimed: null, 'awaiting-approval': null, active: null, released: null });
const MacParams = t.type({ mac: MacInput });
export const MAX_CLAIM = 1000;

const Macs = withSchema(
  new t.Type<t.TypeOf<typeof MacInput>[], unknown, unknown>(
    `1 to ${MAX_CLAIM} MAC addresses`,
    (u): u is t.TypeOf<typeof MacInput>[] => Array.isArray(u) && u.every((m) => MacInput.is(m)),
    (u, c) => {
      const decoded = t.array(MacInput).validate(u, c);
      if (decoded._tag === 'Left') return decoded;
      return decoded.right.length >= 1 && decoded.right.length <= MAX_CLAIM ? decoded : t.failure(u, c, `claim 1 to ${MAX_CLAIM} MAC addresses at once`);
    },
    t.identity,
  ),
  { type: 'array', items: { type: 'string', pattern: PATTERNS.mac }, minItems: 1, maxItems: MAX_CLAIM },
);

export const adminDeviceRoutes = (deps: DevicesDeps, adminToken: string) => async (app: FastifyInstance) => {
  const admin = { tags: ADMIN_TAGS, security: 'bearer', auth: adminAuthenticator(adminToken) };

  devicesRoute(
    app,
    {
      ...admin,
      method: 'GET',
      url: '/devices',
      summary: 'Phones, newest first, with when each last checked in',
      query: t.type({ domain: optional(DomainInput), category: optional(CategoryInput), state: optional(State), ...PageQuery }),
      responses: { 200: { description: 'newest first; X-Next-Cursor when there are more', schema: t.array(DeviceSummary) } },
    },
    async ({ query, reply }) => sendPage(reply, await listDevices(deps, query, pageRequest(query))),
  );

  devicesRoute(
    app,
    {
      ...admin,
      method: 'GET',
      url: '/devices/:mac',
      summary: 'One phone with its whole event history',
      params: MacParams,
      responses: { 200: { description: 'the phone and its history', schema: DeviceDetails }, 404: { description: 'no such phone' } },
    },
    async ({ params }) => deviceDetails(deps, params.mac),
  );

  devicesRoute(
    app,
    {
      ...admin,
      method: 'POST',
      url: '/devices/:mac/release',
      summary: 'Release a phone: any domain may provision it again',
      params: MacParams,
      responses: { 204: { description: 'released' }, 404: { description: 'no such phone' } },
    },
    async ({ params }) => {
      await releaseDevice(deps, params.mac);
      return undefined;
    },
  );

  devicesRoute(
    app,
    {
      ...admin,
      method: 'POST',
      url: '/devices/:mac/approve',
      summary: 'Approve a pre-claimed phone that asked to be provisioned without a code',
      params: MacParams,
      responses: { 204: { description: 'approved' }, 404: { description: 'no phone of this MAC awaits approval' } },
    },
    async ({ params }) => {
      await approveDevice(deps, params.mac);
      return undefined;
    },
  );

  devicesRoute(
    app,
    {
      ...admin,
      method: 'POST',
      url: '/claims',
      summary: 'Pre-claim phones by MAC for a domain and category (forwarded to the Redirector)',
      body: t.type({ macs: Macs, domain: DomainInput, category: CategoryInput }),
      responses: {
        201: { description: 'claimed', schema: t.type({ claimed: t.number, redirector: t.number }) },
        404: { description: 'no such domain or category' },
        409: { description: 'a phone belongs to another domain' },
        502: { description: 'the Redirector refused' },
        503: { description: 'the Redirector is not available' },
      },
    },
    async ({ body, reply }) => {
      const claimed = await claimDevices(deps, body.macs, body.domain, body.category);
      reply.code(201);
      return claimed;
    },
  );

  devicesRoute(
    app,
    {
      ...admin,
      method: 'GET',
      url: '/outbox',
      summary: 'PhoneProvisioned notices not acknowledged yet, in the order they are sent',
      query: t.type({ domain: optional(DomainInput), ...PageQuery }),
      responses: { 200: { description: 'in the order they are sent; X-Next-Cursor when there are more', schema: t.array(OutboxEntry) } },
    },
    async ({ query, reply }) => sendPage(reply, await listOutbox(deps, query.domain, pageRequest(query))),
  );
};
