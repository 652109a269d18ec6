/**
 * The phone protocol (SPEC §5.1), `/devices/v1/phone`: `provision`, `checkin`, `report`.
 * Check-ins and reports authenticate with the device credential before the body is read.
 */
import type { FastifyInstance } from 'fastify';
import * as t from 'io-ts';
import { checkIn } from '../../application/devices/check-in';
import type { DevicesDeps } from '../../application/devices/deps';
import type { GuessThrottle } from '../../application/guess-throttle';
import { provision } from '../../application/devices/provision';
import { reportOutcome } from '../../application/devices/report';
import { CodeInput, IdInput, IpInput, MacInput, ModelInput, NoteInput, optional, RevisionInput, VersionInput } from './codecs';
import { deviceAuthenticator } from './device-auth';
import type { DevicesMetrics } from './metrics';
import { route } from '../http/route';

const Outcome = t.keyof({ applied: null, failed: null });

const ProvisionBody = t.type({
  /** absent or null: the pre-claimed path of SPEC §5.4 */
  code: optional(t.union([CodeInput, t.null])),
  mac: MacInput,
  model: ModelInput,
  firmware: VersionInput,
  bootcode: VersionInput,
  /** Devices does not keep it; checked when given */
  localIp: optional(IpInput),
});

const CheckInBody = t.type({
  firmware: VersionInput,
  bootcode: VersionInput,
  /** absent: none yet */
  configRevision: optional(t.union([RevisionInput, t.null])),
});

const ReportBody = t.union([
  t.type({ kind: t.literal('firmware'), jobId: IdInput, outcome: Outcome, detail: optional(NoteInput) }),
  t.type({ kind: t.literal('config'), revision: RevisionInput, outcome: Outcome, detail: optional(NoteInput) }),
]);

const FirmwareOffer = t.type({ jobId: t.string, version: t.string, url: t.string, sha256: t.string, bootcode: t.string });
const ConfigOffer = t.type({ revision: t.string, settings: t.record(t.string, t.UnknownRecord) });

export const phoneRoutes = (deps: DevicesDeps, throttle: GuessThrottle, metrics: DevicesMetrics) => async (app: FastifyInstance) => {
  const device = deviceAuthenticator(deps);
  const tags = ['devices: phone'];

  route(
    app,
    {
      method: 'POST',
      url: '/provision',
      summary: 'A phone provisions with a code (or, pre-claimed, without one) and gets its device credential',
      tags,
      body: ProvisionBody,
      responses: {
        200: {
          description: 'the device credential, shown once',
          schema: t.type({ deviceId: t.string, deviceSecret: t.string, domain: t.string, category: t.string, pollSeconds: t.number, state: t.string }),
        },
        404: { description: 'unknown-code' },
        409: { description: 'device-owned-by-other-domain' },
        429: { description: 'rate-limited' },
      },
    },
    async ({ body, request }) => {
      try {
        const provisioned = await provision(deps, throttle, { ...body, code: body.code ?? null, sourceIp: request.ip });
        metrics.provisions.inc({ outcome: provisioned.rotated ? 'rotated' : provisioned.state });
        const { rotated: _, ...answer } = provisioned;
        return answer;
      } catch (error) {
        metrics.provisions.inc({ outcome: (error as { code?: string }).code ?? 'error' });
        throw error;
      }
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/checkin',
      summary: 'A phone checks in: firmware first, then the merged config',
      tags,
      security: 'device',
      auth: device,
      body: CheckInBody,
      responses: {
        200: { description: 'what to load now', schema: t.type({ firmware: t.union([FirmwareOffer, t.null]), config: t.union([ConfigOffer, t.null]), pollSeconds: t.number }) },
        401: { description: 'unauthorized' },
      },
    },
    async ({ body, principal }) => {
      const answer = await checkIn(deps, principal, { ...body, configRevision: body.configRevision ?? null });
      metrics.checkIns.inc({ changed: String(answer.changed) });
      if (answer.firmware) metrics.offers.inc({ kind: 'firmware' });
      if (answer.config) metrics.offers.inc({ kind: 'config' });
      return { firmware: answer.firmware, config: answer.config, pollSeconds: answer.pollSeconds };
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/report',
      summary: 'A phone reports the outcome of an offered firmware job or config revision',
      tags,
      security: 'device',
      auth: device,
      body: ReportBody,
      responses: { 204: { description: 'recorded' }, 401: { description: 'unauthorized' }, 409: { description: 'never offered to this phone' } },
    },
    async ({ body, principal }) => {
      await reportOutcome(deps, principal.mac, { ...body, detail: body.detail ?? null });
      metrics.reports.inc({ kind: body.kind, outcome: body.outcome });
      return undefined;
    },
  );
};
