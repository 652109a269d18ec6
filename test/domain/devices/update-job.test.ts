import { describe, expect, it } from 'vitest';
import * as Tenant from '../../../src/domain/devices/tenant';
import * as UpdateJob from '../../../src/domain/devices/update-job';
import { deciderSpec } from '../decider-spec';
import { category, firmware, id, T0, T1, T2 } from '../fixtures';
import { EXAMPLE, exampleDomain, OFFICE, OTHER } from './fixtures';

const given = deciderSpec(UpdateJob.decider, UpdateJob.Event);
const jobId = id('job-1');
const fw = firmware('13r3 sr5');
const keys = { jobId, domain: EXAMPLE, category: OFFICE };

const create = (over: Partial<Extract<UpdateJob.Command, { type: 'CreateUpdateJob' }>> = {}): UpdateJob.Command => ({
  type: 'CreateUpdateJob',
  ...keys,
  domainState: exampleDomain,
  firmware: fw,
  now: T0,
  ...over,
});
const created = (waves = [100], failureThreshold = 0.1): UpdateJob.Event => ({
  type: 'UpdateJobCreated',
  data: { ...keys, firmware: fw, waves, failureThreshold, at: T0 },
});
const staged = created([1, 10, 100], 0.2);
const advance = (wave: number, targets: number, applied: number, failed: number, now = T1): UpdateJob.Command => ({
  type: 'AdvanceWave',
  jobId,
  wave,
  stats: { targets, applied, failed },
  now,
});
const advanced = (wave: number, percent: number, at = T1): UpdateJob.Event => ({
  type: 'UpdateWaveAdvanced',
  data: { ...keys, wave, percent, at },
});
const cancelled: UpdateJob.Event = { type: 'UpdateJobCancelled', data: { ...keys, at: T1 } };

describe('UpdateJob: create', () => {
  it('is created with domain, category and the firmware snapshot, in one wave by default', () => {
    given([]).when(create()).then([created()]);
  });

  it('may target every category of the domain with *', () => {
    given([])
      .when(create({ category: '*' }))
      .then([{ type: 'UpdateJobCreated', data: { ...keys, category: '*', firmware: fw, waves: [100], failureThreshold: 0.1, at: T0 } }]);
  });

  it('may be staged in waves with a failure threshold', () => {
    given([]).when(create({ waves: [1, 10, 100], failureThreshold: 0.2 })).then([staged]);
  });

  it('an unknown domain or category is not-found', () => {
    given([]).when(create({ domainState: Tenant.initialState })).thenFails('not-found');
    given([]).when(create({ domain: OTHER })).thenFails('not-found');
    given([]).when(create({ category: category('nope') })).thenFails('not-found');
  });

  it.each([
    [[], 'no waves'],
    [[10, 1, 100], 'decreasing'],
    [[10, 10, 100], 'repeated'],
    [[1, 50], 'not ending at 100'],
    [[0, 100], 'a zero wave'],
    [[1.234, 100], 'three decimals'],
    [[Number.NaN, 100], 'NaN'],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100], 'eleven waves'],
  ])('refuses waves %j (%s) with validation-failed', (waves) => {
    given([]).when(create({ waves })).thenFails('validation-failed');
  });

  it.each([[0], [-0.1], [1.5], [Number.POSITIVE_INFINITY]])('refuses failure threshold %d', (failureThreshold) => {
    given([]).when(create({ failureThreshold })).thenFails('validation-failed');
  });

  it('jobs are immutable: creating one again is a conflict', () => {
    given([created()]).when(create()).thenFails('conflict');
  });
});

describe('UpdateJob: cancel', () => {
  it('is cancelled and kept in history', () => {
    given([created()]).when({ type: 'CancelUpdateJob', jobId, now: T1 }).then([cancelled]);
  });

  it('cancelling again changes nothing', () => {
    given([created(), cancelled]).when({ type: 'CancelUpdateJob', jobId, now: T2 }).thenNothingHappens();
  });

  it('an unknown job is not-found', () => {
    given([]).when({ type: 'CancelUpdateJob', jobId, now: T1 }).thenFails('not-found');
  });
});

describe('UpdateJob: staged waves', () => {
  it('the next wave opens when the previous one is complete and its failure rate is under the threshold', () => {
    given([staged]).when(advance(0, 10, 9, 1)).then([advanced(1, 10)]);
    given([staged, advanced(1, 10)]).when(advance(1, 100, 85, 15, T2)).then([advanced(2, 100, T2)]);
  });

  it('a wave with no phones in it is complete with no failures', () => {
    given([staged]).when(advance(0, 0, 0, 0)).then([advanced(1, 10)]);
  });

  it('nothing changes while the open wave is incomplete', () => {
    given([staged]).when(advance(0, 10, 5, 4)).thenNothingHappens();
  });

  it('the job halts when the failure rate reaches the threshold', () => {
    given([staged])
      .when(advance(0, 10, 8, 2))
      .then([{ type: 'UpdateJobHalted', data: { ...keys, wave: 0, failureRate: 0.2, at: T1 } }]);
  });

  it('nothing changes after a halt or a cancel', () => {
    const halted: UpdateJob.Event = { type: 'UpdateJobHalted', data: { ...keys, wave: 0, failureRate: 0.5, at: T1 } };
    given([staged, halted]).when(advance(0, 10, 10, 0, T2)).thenNothingHappens();
    given([staged, cancelled]).when(advance(0, 10, 10, 0, T2)).thenNothingHappens();
  });

  it('the last wave does not advance further', () => {
    given([created()]).when(advance(0, 10, 10, 0)).thenNothingHappens();
    given([staged, advanced(1, 10), advanced(2, 100)]).when(advance(2, 10, 10, 0)).thenNothingHappens();
  });

  it('counts for an earlier wave (a repeated command) change nothing; for a later wave they are a conflict', () => {
    given([staged, advanced(1, 10)]).when(advance(0, 10, 10, 0)).thenNothingHappens();
    given([staged]).when(advance(1, 10, 10, 0)).thenFails('conflict');
  });

  it('counts must be whole numbers', () => {
    given([staged]).when(advance(0, 10, -1, 0)).thenFails('validation-failed');
    given([staged]).when(advance(0, 10, 0.5, 0)).thenFails('validation-failed');
  });

  it('an unknown job is not-found', () => {
    given([]).when(advance(0, 1, 1, 0)).thenFails('not-found');
  });

  it('lives in its own stream', () => {
    expect(UpdateJob.streamName(jobId)).toBe('updateJob-job-1');
  });
});
