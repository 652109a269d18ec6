/**
 * `devices.waves`: the progress of every update job's waves (collection `jobs`, key: job
 * id): per wave, how many phones it added were offered the firmware, applied it, failed;
 * which wave is open and since when. A phone counts in the wave that added it
 * (`waveOf`), once per job, with its latest outcome (`phones`, key `<jobId>/<mac>`).
 * Jobs whose waves still have to advance are listed in `running` (key: job id) for the
 * process that advances or halts them (wave-process.ts).
 */
import { Device, UpdateJob, waveOf, type Timestamp } from '../../../domain';
import type { Projection } from '../../projections/projection';
import { decodeEvent, DocTx } from './doc-tx';

export const WAVES = 'devices.waves';
export const WAVE_JOBS = 'jobs';
export const RUNNING = 'running';
/** each phone a job was offered to: key `<jobId>/<mac>` */
export const WAVE_PHONES = 'phones';

export interface WaveCount {
  readonly offered: number;
  readonly applied: number;
  readonly failed: number;
}

export interface WaveDoc {
  readonly jobId: string;
  readonly status: 'running' | 'halted' | 'cancelled';
  readonly waves: readonly number[];
  readonly failureThreshold: number;
  readonly openWave: number;
  readonly openedAt: Timestamp;
  readonly counts: readonly WaveCount[];
}

export type PhoneOutcome = 'offered' | 'applied' | 'failed';

export interface PhoneDoc {
  readonly wave: number;
  readonly outcome: PhoneOutcome;
}

const FIRMWARE_EVENTS = ['FirmwareOffered', 'FirmwareApplied', 'FirmwareFailed'] as const;

const tally = (count: WaveCount, from: PhoneOutcome | undefined, to: PhoneOutcome): WaveCount => {
  const next = { ...count };
  if (from === undefined) next.offered++;
  if (from === 'applied') next.applied--;
  if (from === 'failed') next.failed--;
  if (to === 'applied') next.applied++;
  if (to === 'failed') next.failed++;
  return next;
};

const setRunning = (tx: DocTx, doc: WaveDoc): void => {
  if (doc.status === 'running' && doc.openWave < doc.waves.length - 1) tx.put(RUNNING, doc.jobId, { jobId: doc.jobId });
  else tx.remove(RUNNING, doc.jobId);
};

const applyJobEvent = async (tx: DocTx, ev: UpdateJob.Event): Promise<void> => {
  const { jobId } = ev.data;
  if (ev.type === 'UpdateJobCreated') {
    const { waves, failureThreshold, at } = ev.data;
    const doc: WaveDoc = { jobId, status: 'running', waves, failureThreshold, openWave: 0, openedAt: at, counts: waves.map(() => ({ offered: 0, applied: 0, failed: 0 })) };
    tx.put(WAVE_JOBS, jobId, doc);
    setRunning(tx, doc);
    return;
  }
  const before = await tx.get<WaveDoc>(WAVE_JOBS, jobId);
  if (!before) return;
  const doc: WaveDoc =
    ev.type === 'UpdateWaveAdvanced'
      ? { ...before, openWave: ev.data.wave, openedAt: ev.data.at }
      : { ...before, status: ev.type === 'UpdateJobHalted' ? 'halted' : 'cancelled' };
  tx.put(WAVE_JOBS, jobId, doc);
  setRunning(tx, doc);
};

const applyPhoneEvent = async (tx: DocTx, ev: Device.Event): Promise<void> => {
  if (ev.type !== 'FirmwareOffered' && ev.type !== 'FirmwareApplied' && ev.type !== 'FirmwareFailed') return;
  const { jobId, mac } = ev.data;
  const job = await tx.get<WaveDoc>(WAVE_JOBS, jobId);
  if (!job) return;
  const phoneKey = `${jobId}/${mac}`;
  const phone = await tx.get<PhoneDoc>(WAVE_PHONES, phoneKey);
  const outcome: PhoneOutcome = ev.type === 'FirmwareApplied' ? 'applied' : ev.type === 'FirmwareFailed' ? 'failed' : phone?.outcome ?? 'offered';
  if (phone?.outcome === outcome) return;
  const wave = phone?.wave ?? waveOf(job.waves, mac, jobId);
  tx.put(WAVE_PHONES, phoneKey, { wave, outcome });
  tx.put(WAVE_JOBS, jobId, { ...job, counts: job.counts.map((count, i) => (i === wave ? tally(count, phone?.outcome, outcome) : count)) });
};

export const wavesProjection: Projection = {
  name: WAVES,
  version: 1,
  eventTypes: [...UpdateJob.Event.types, ...FIRMWARE_EVENTS],
  async apply(event, view) {
    const tx = new DocTx(view);
    const jobEvent = decodeEvent(UpdateJob.Event, event);
    if (jobEvent) await applyJobEvent(tx, jobEvent);
    else {
      const phoneEvent = decodeEvent(Device.Event, event);
      if (phoneEvent) await applyPhoneEvent(tx, phoneEvent);
    }
    return tx.changes();
  },
};
