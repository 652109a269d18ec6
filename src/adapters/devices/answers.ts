/** What the Devices admin and phone routes answer, as io-ts codecs for the OpenAPI document. */
import * as t from 'io-ts';
import { withSchema } from '../http/codec-schema';

const Timestamp = withSchema(t.string, { type: 'string', format: 'date-time' });
const Outcome = t.keyof({ offered: null, applied: null, failed: null });
const nullable = <C extends t.Mixed>(codec: C) => t.union([codec, t.null]);

export const DeviceSummary = t.type({
  mac: t.string,
  domain: t.string,
  category: t.string,
  model: nullable(t.string),
  firmware: nullable(t.string),
  bootcode: nullable(t.string),
  configRevision: nullable(t.string),
  state: t.keyof({ claimed: null, 'awaiting-approval': null, active: null, released: null }),
  since: Timestamp,
  lastSeen: nullable(Timestamp),
});

export const DeviceDetails = t.intersection([
  DeviceSummary,
  t.type({
    firmwareJobs: t.array(t.type({ jobId: t.string, version: t.string, outcome: Outcome })),
    configs: t.array(t.type({ revision: t.string, outcome: Outcome })),
    notices: t.array(t.type({ noticeId: t.string, domain: t.string, acknowledged: t.boolean })),
    history: t.array(t.type({ version: t.number, type: t.string, at: t.string, data: t.UnknownRecord })),
  }),
]);

/** a PhoneProvisioned notice not acknowledged yet; `code` is null for a pre-claimed phone or once the code is purged */
export const OutboxEntry = t.type({ domain: t.string, id: t.string, mac: t.string, code: nullable(t.string), model: t.string, at: Timestamp });

const Firmware = t.type({ version: t.string, bootcode: t.string, files: t.record(t.string, t.type({ url: t.string, sha256: t.string })) });

export const UpdateJobSummary = t.type({
  jobId: t.string,
  domain: t.string,
  category: t.string,
  status: t.keyof({ running: null, halted: null, cancelled: null }),
  firmware: Firmware,
  waves: t.array(t.number),
  failureThreshold: t.number,
  openWave: t.number,
  createdAt: Timestamp,
  openedAt: nullable(Timestamp),
  progress: t.array(t.type({ wave: t.number, percent: t.number, open: t.boolean, offered: t.number, applied: t.number, failed: t.number })),
});

export const ConfigJobSummary = t.type({
  status: t.keyof({ active: null, cancelled: null }),
  jobId: t.string,
  domain: t.string,
  category: t.string,
  type: t.string,
  params: t.UnknownRecord,
  createdAt: Timestamp,
});

export const JobPhone = t.type({ mac: t.string, wave: t.number, outcome: Outcome });

export const WaveJudgement = t.type({
  jobId: t.string,
  outcome: t.keyof({ advanced: null, halted: null, waiting: null, soaking: null, done: null }),
  status: t.keyof({ running: null, halted: null, cancelled: null }),
  openWave: t.number,
});
