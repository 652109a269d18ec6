/**
 * Users admin HTTP (`/users/v1/admin`, `Bearer <admin token>`, SPEC §6): the directory
 * (users, CSV import, user tokens, phone apps), a user's phones, the past rollouts and
 * the CSV of each,
 * and the phones Users could not place by itself.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as t from 'io-ts';
import { assignPhone } from '../../application/users/assign-phone';
import { createPhoneApp } from '../../application/users/create-phone-app';
import { createUser } from '../../application/users/create-user';
import { listPhoneApps, listUsers } from '../../application/users/directory-queries';
import { importUsers } from '../../application/users/import-users';
import { issueUserToken } from '../../application/users/issue-user-token';
import { unassignedPhones, userDevices } from '../../application/users/phone-queries';
import { getRollout, listRollouts, MAX_ROLLOUT_PAGE } from '../../application/users/rollout-queries';
import type { UsersDeps } from '../../application/users/users-deps';
import { withSchema } from '../http/codec-schema';
import { PATTERNS } from '../http/patterns';
import { BODY_LIMIT } from '../http/server';
import { HttpProblem } from '../http/problem';
import { authorizationToken, route, unauthorized } from '../http/route';
import { constantTimeEqual } from '../system/secrets';
import { formatCsv, parseCsv } from './csv';
import { PageLimitFromString, RolloutCursor } from './page';

export const ADMIN_PREFIX = '/users/v1/admin';

// documented as the application parses them (it trims, and refuses what does not fit)
const IdString = withSchema(t.string, { type: 'string', pattern: PATTERNS.id });
const NameString = withSchema(t.string, { type: 'string', minLength: 1, maxLength: 200 });
const EmailString = withSchema(t.string, { type: 'string', pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', maxLength: 254, description: 'empty or absent: none' });
const MacString = withSchema(t.string, { type: 'string', pattern: PATTERNS.mac });
const UserBody = t.type({ id: IdString, name: NameString, email: t.union([EmailString, t.null, t.undefined]) });
const UserOut = t.type({ id: t.string, name: t.string, email: t.union([t.string, t.null]) });
const PhoneAppBody = t.type({ id: IdString, name: NameString });
const PhoneAppOut = t.type({ id: t.string, name: t.string });
const DeviceOut = t.type({ mac: t.string, model: t.string, category: t.union([t.string, t.null]), registeredAt: t.string });
const ImportReportOut = t.type({ created: t.number, skipped: t.number, errors: t.array(t.type({ line: t.number, detail: t.string })) });
const UnassignedOut = t.type({ mac: t.string, model: t.string, code: t.union([t.string, t.null]), reason: t.string, noticeId: t.string, at: t.string });
const IdParams = t.type({ id: IdString });
const RolloutSummaryOut = t.type({
  rolloutId: t.string,
  category: t.string,
  phoneApp: t.string,
  startedAt: t.string,
  users: t.number,
  pending: t.number,
  registered: t.number,
  expired: t.number,
});
const CSV_TYPES = new Set(['text/csv', 'text/plain']);
const CsvBody = withSchema(new t.Type<unknown>('CsvText', (_u): _u is unknown => true, t.success, t.identity), { type: 'string', description: 'id,name,email per line' });

export function adminRoutes(deps: UsersDeps, adminToken: string) {
  const auth = (request: FastifyRequest): 'admin' => {
    const token = authorizationToken(request, 'Bearer');
    if (token === undefined || !constantTimeEqual(token, adminToken)) throw unauthorized('the admin token is missing or wrong');
    return 'admin';
  };
  const common = { auth, security: 'bearer', tags: ['users admin'] } as const;

  return async (app: FastifyInstance): Promise<void> => {
    route(
      app,
      {
        ...common,
        method: 'POST',
        url: `${ADMIN_PREFIX}/users`,
        summary: 'Add a user to the directory',
        body: UserBody,
        responses: { 201: { description: 'created', schema: UserOut }, 409: { description: 'a user with this id exists' } },
      },
      async ({ body, reply }) => {
        const user = await createUser(deps, body);
        reply.code(201);
        return user;
      },
    );

    // CSV bodies (text/csv, or text/plain) for the import only, within the server's body limit
    await app.register(async (csv) => {
      csv.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));
      route(
        csv,
        {
          ...common,
          method: 'POST',
          url: `${ADMIN_PREFIX}/users/import`,
          summary: 'Import users from CSV (id,name,email; header optional; RFC 4180): bad lines are reported, the rest imported',
          consumes: ['text/csv'],
          // the media type is checked first, in the handler: a JSON body is 415, not 400
          body: CsvBody,
          responses: { 200: { description: 'what was imported', schema: ImportReportOut } },
        },
        async ({ request, body }) => {
          const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
          if (!CSV_TYPES.has(mediaType) || typeof body !== 'string') throw new HttpProblem('unsupported-media-type', 'send the users as text/csv (id,name,email)');
          return importUsers(deps, parseCsv(body));
        },
      );
    });

    route(
      app,
      {
        ...common,
        method: 'GET',
        url: `${ADMIN_PREFIX}/users`,
        summary: 'The users of the directory, by id (paged with after and limit)',
        query: t.type({ after: t.union([t.string, t.undefined]), limit: t.union([PageLimitFromString, t.undefined]) }),
        responses: { 200: { description: 'users', schema: t.array(UserOut) } },
      },
      async ({ query }) => listUsers(deps.readModels, query),
    );

    route(
      app,
      {
        ...common,
        method: 'POST',
        url: `${ADMIN_PREFIX}/users/:id/tokens`,
        summary: 'A new Profile token for a user (shown once, stored hashed)',
        params: IdParams,
        responses: { 201: { description: 'the token', schema: t.type({ token: t.string }) }, 404: { description: 'no such user' } },
      },
      async ({ params, reply }) => {
        const issued = await issueUserToken(deps, params.id);
        reply.code(201).header('cache-control', 'no-store');
        return issued;
      },
    );

    route(
      app,
      {
        ...common,
        method: 'GET',
        url: `${ADMIN_PREFIX}/users/:id/devices`,
        summary: "A user's phones",
        params: IdParams,
        responses: { 200: { description: 'devices', schema: t.array(DeviceOut) }, 404: { description: 'no such user' } },
      },
      async ({ params }) => {
        const devices = await userDevices(deps.readModels, params.id);
        if (devices === undefined) throw new HttpProblem('not-found', 'no such user');
        return devices;
      },
    );

    route(
      app,
      {
        ...common,
        method: 'POST',
        url: `${ADMIN_PREFIX}/phone-apps`,
        summary: 'Add a phone app a rollout may pick',
        body: PhoneAppBody,
        responses: { 201: { description: 'created', schema: PhoneAppOut }, 409: { description: 'a phone app with this id exists' } },
      },
      async ({ body, reply }) => {
        const phoneApp = await createPhoneApp(deps, body);
        reply.code(201);
        return phoneApp;
      },
    );

    route(
      app,
      { ...common, method: 'GET', url: `${ADMIN_PREFIX}/phone-apps`, summary: 'The phone apps', responses: { 200: { description: 'phone apps', schema: t.array(PhoneAppOut) } } },
      async () => listPhoneApps(deps.readModels),
    );

    route(
      app,
      {
        ...common,
        method: 'GET',
        url: `${ADMIN_PREFIX}/rollouts`,
        summary: 'The past rollouts, newest first, with how many users are pending, registered and expired',
        query: t.type({ limit: t.union([PageLimitFromString, t.undefined]), cursor: t.union([RolloutCursor, t.undefined]) }),
        responses: { 200: { description: `at most ${MAX_ROLLOUT_PAGE} a page (default 20); X-Next-Cursor when there may be more`, schema: t.array(RolloutSummaryOut) } },
      },
      async ({ query, reply }) => {
        if (query.limit !== undefined && query.limit > MAX_ROLLOUT_PAGE) throw new HttpProblem('validation-failed', `query.limit: at most ${MAX_ROLLOUT_PAGE} rollouts a page`);
        const page = await listRollouts(deps, { ...(query.limit !== undefined ? { limit: query.limit } : {}), ...(query.cursor !== undefined ? { cursor: query.cursor } : {}) });
        if (page.next !== null) reply.header('x-next-cursor', page.next);
        return page.rollouts;
      },
    );

    route(
      app,
      {
        ...common,
        method: 'GET',
        url: `${ADMIN_PREFIX}/rollouts/:id.csv`,
        summary: 'A rollout as CSV (user,name,code,expires_at,state,mac; RFC 4180, UTF-8 with a byte order mark unless bom=false)',
        params: IdParams,
        query: t.type({ bom: t.union([t.keyof({ true: null, false: null }), t.undefined]) }),
        responses: { 200: { description: 'the rollout', schema: t.string, contentType: 'text/csv' }, 404: { description: 'no such rollout' } },
      },
      async ({ params, query, reply }) => {
        const rollout = await getRollout(deps, params.id);
        if (rollout === undefined) throw new HttpProblem('not-found', 'no such rollout');
        const rows = rollout.entries.map((e) => [e.user, e.name ?? '', e.code ?? '', e.expiresAt, e.state, e.mac ?? '']);
        reply
          .type('text/csv; charset=utf-8; header=present')
          .header('content-disposition', `attachment; filename="rollout-${rollout.rolloutId.replace(/[^A-Za-z0-9._-]/g, '_')}.csv"`);
        return formatCsv([['user', 'name', 'code', 'expires_at', 'state', 'mac'], ...rows], { bom: query.bom !== 'false' });
      },
    );

    route(
      app,
      {
        ...common,
        method: 'GET',
        url: `${ADMIN_PREFIX}/unassigned-phones`,
        summary: 'Provisioned phones Users could not give to a user (no code, or a code it did not hand out)',
        responses: { 200: { description: 'phones', schema: t.array(UnassignedOut) } },
      },
      async () => unassignedPhones(deps.readModels),
    );

    route(
      app,
      {
        ...common,
        method: 'POST',
        url: `${ADMIN_PREFIX}/unassigned-phones/:mac/assign`,
        summary: 'Give an unassigned phone to a user',
        params: t.type({ mac: MacString }),
        body: t.type({ user: IdString }),
        responses: { 204: { description: 'assigned' }, 404: { description: 'no such phone or user' }, 409: { description: 'assigned to another user' } },
      },
      async ({ params, body }) => {
        await assignPhone(deps, { mac: params.mac, user: body.user });
      },
    );
  };
}
