/**
 * Staged update waves (SPEC §5.4): the open wave of a running job advances once every
 * phone it added has reported and their failure rate stays under the job's threshold, and
 * halts the job otherwise (`waveVerdict` in the domain, decided on the job's stream).
 *
 * The counts come from the `devices.waves` read model: a wave's targets are the phones it
 * added that were offered the firmware. A phone is offered it at its next check-in, so the
 * background process lets a wave soak for a while (two poll intervals by default) before
 * judging it: by then every phone of the wave has checked in. An admin may judge a wave at
 * once (`POST /update-jobs/{id}/advance`).
 */
import { toMillis, UpdateJob, type Id } from '../../domain';
import { handle, load } from '../command-handler';
import type { JsonObject } from '../ports/event-store';
import { updateJobAggregate } from './aggregates';
import { actorOf, sees, type AdminScope } from './admin-scope';
import { awaitOwnWrite, metadataOf, nowOf, type DevicesDeps } from './deps';
import { UPDATE_JOBS } from './projections/update-jobs';
import { RUNNING, WAVE_JOBS, WAVES, type WaveDoc } from './projections/waves';
import { orRefuse, Refusal } from '../refusal';

export type WaveOutcome = 'advanced' | 'halted' | 'waiting' | 'soaking' | 'done';

export interface WaveJudgement {
  readonly jobId: Id;
  readonly outcome: WaveOutcome;
  /** the job after the judgement */
  readonly status: 'running' | 'halted' | 'cancelled';
  readonly openWave: number;
}

type Deps = Pick<DevicesDeps, 'events' | 'readModels' | 'clock' | 'random' | 'projections' | 'offers'>;

/** Judge the open wave of a job: now, or (with `soakMs`) only once it has been open that long. */
export const judgeWave = async (deps: Deps, jobId: Id, soakMs = 0, scope?: AdminScope): Promise<WaveJudgement> => {
  const stream = UpdateJob.streamName(jobId);
  const current = (await load(deps.events, stream, updateJobAggregate)).state;
  if (current.status === 'none' || (scope !== undefined && !sees(scope, current.domain))) throw new Refusal('not-found', 'no such update job');
  const judged = (outcome: WaveOutcome, job: UpdateJob.Created = current): WaveJudgement => ({ jobId, outcome, status: job.status, openWave: job.openWave });
  if (current.status !== 'running' || current.openWave >= current.waves.length - 1) return judged('done');
  const doc = await deps.readModels.get<WaveDoc & JsonObject>(WAVES, WAVE_JOBS, jobId);
  if (doc === undefined || doc.openWave !== current.openWave) return judged('waiting');
  const now = nowOf(deps.clock);
  if (toMillis(now) - toMillis(doc.openedAt) < soakMs) return judged('soaking');
  const count = doc.counts[doc.openWave] ?? { offered: 0, applied: 0, failed: 0 };
  const stats = { targets: count.offered, applied: count.applied, failed: count.failed };
  const handled = orRefuse(
    await handle(deps.events, stream, updateJobAggregate, { type: 'AdvanceWave', jobId, wave: doc.openWave, stats, now }, { random: deps.random, metadata: metadataOf(scope ? actorOf(scope) : 'system') }),
  );
  await Promise.all([awaitOwnWrite(deps, UPDATE_JOBS, handled), awaitOwnWrite(deps, WAVES, handled)]);
  if (handled.events.length > 0) deps.offers.invalidate();
  const after = handled.state;
  if (after.status === 'none') throw new Error(`update job ${jobId} vanished`);
  const event = handled.events[0]?.type;
  return judged(event === 'UpdateWaveAdvanced' ? 'advanced' : event === 'UpdateJobHalted' ? 'halted' : 'waiting', after);
};

/** Judge every running staged job whose open wave has soaked long enough. */
export const judgeRunningWaves = async (deps: Deps, soakMs: number, onError: (jobId: string, error: unknown) => void): Promise<WaveJudgement[]> => {
  const judged: WaveJudgement[] = [];
  let afterKey: string | undefined;
  for (;;) {
    const page = await deps.readModels.list<{ jobId: Id }>(WAVES, RUNNING, { afterKey, limit: 500 });
    for (const { doc } of page) {
      try {
        judged.push(await judgeWave(deps, doc.jobId, soakMs));
      } catch (error) {
        onError(doc.jobId, error);
      }
    }
    if (page.length < 500) return judged;
    afterKey = page[page.length - 1]?.key;
  }
};
