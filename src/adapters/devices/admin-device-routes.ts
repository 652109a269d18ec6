/** Admin HTTP (SPEC §5.3, §5.4): phones, pre-claims, approvals, releases, the outbox. */
import type { FastifyInstance } from 'fastify';
import * as t from 'io-ts';
import type { DevicesDeps } from '../../application/devices/deps';
import { approveDevice, claimDevices, releaseDevice } from '../../application/devices/device-admin';
import { deviceDetails, listDevices, SEARCH_SCAN } from '../../application/devices/device-queries';
import { listOutbox } from '../../application/devices/outbox-queries';
import { DeviceDetails, DeviceSummary, OutboxEntry } from './answers';
import { withSchema } from '../http/codec-schema';
import { PATTERNS } from '../http/patterns';
import { ADMIN_TAGS, adminAuthenticator, PageQuery, pageRequest, sendPage } from './admin-kit';
import * as E from 'fp-ts/Either';
import { invalid } from '../../domain';
import { parsed } from '../http/parsed-codec';
import { CategoryInput, DomainInput, MacInput, ModelInput, optional, VersionInput } from './codecs';
import { route } from '../http/route';

/** part of a MAC, in any of its spellings: 1 to 12 hex digits once `:` and `-` are stripped */
const MacSearchInput = parsed('part of a MAC address', (s) => {
  const hex = s.replace(/[:-]/g, '').toLowerCase();
  return /^[0-9a-f]{1,12}$/.test(hex) ? E.right(hex) : invalid<string>('search by 1 to 12 hex digits of a MAC (separators : or - allowed)');
}, { example: 'aa:bb' });

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
  const admin = { tags: ADMIN_TAGS, security: 'bearer', auth: adminAuthenticator(deps, adminToken) };

  route(
    app,
    {
      ...admin,
      method: 'GET',
      url: '/devices',
      summary: 'Phones, newest first, with when each last checked in; narrowed by domain, category, state, part of the MAC, model, firmware',
      query: t.type({
        domain: optional(DomainInput),
        category: optional(CategoryInput),
        state: optional(State),
        mac: optional(MacSearchInput),
        model: optional(ModelInput),
        firmware: optional(VersionInput),
        ...PageQuery,
      }),
      responses: {
        200: {
          description: `[{mac, domain, category, model, firmware, state, lastSeen, …}]; X-Next-Cursor when there may be more (a search by mac, model or firmware reads at most ${SEARCH_SCAN} phones a request and may answer fewer than the limit with a cursor)`,
          schema: t.array(DeviceSummary),
        },
      },
    },
    async ({ query, reply, principal }) => sendPage(reply, await listDevices(deps, principal, query, pageRequest(query))),
  );

  route(
    app,
    {
      ...admin,
      method: 'GET',
      url: '/devices/:mac',
      summary: 'One phone with its whole event history',
      params: MacParams,
      responses: { 200: { description: 'the phone and its history', schema: DeviceDetails }, 404: { description: 'no such phone' } },
    },
    async ({ params, principal }) => deviceDetails(deps, principal, params.mac),
  );

  route(
    app,
    {
      ...admin,
      method: 'POST',
      url: '/devices/:mac/release',
      summary: 'Release a phone: any domain may provision it again',
      params: MacParams,
      responses: { 204: { description: 'released' }, 404: { description: 'no such phone' } },
    },
    async ({ params, principal }) => {
      await releaseDevice(deps, principal, params.mac);
      return undefined;
    },
  );

  route(
    app,
    {
      ...admin,
      method: 'POST',
      url: '/devices/:mac/approve',
      summary: 'Approve a pre-claimed phone that asked to be provisioned without a code',
      params: MacParams,
      responses: { 204: { description: 'approved' }, 404: { description: 'no phone of this MAC awaits approval' } },
    },
    async ({ params, principal }) => {
      await approveDevice(deps, principal, params.mac);
      return undefined;
    },
  );

  route(
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
    async ({ body, reply, principal }) => {
      const claimed = await claimDevices(deps, principal, body.macs, body.domain, body.category);
      reply.code(201);
      return claimed;
    },
  );

  route(
    app,
    {
      ...admin,
      method: 'GET',
      url: '/outbox',
      summary: 'PhoneProvisioned notices not acknowledged yet, in the order they are sent',
      query: t.type({ domain: optional(DomainInput), ...PageQuery }),
      responses: { 200: { description: 'in the order they are sent; X-Next-Cursor when there are more', schema: t.array(OutboxEntry) } },
    },
    async ({ query, reply, principal }) => sendPage(reply, await listOutbox(deps, principal, query.domain, pageRequest(query))),
  );
};
