import { describe, expect, it } from 'vitest';
import * as ConfigJob from '../../../src/domain/devices/config-job';
import * as UpdateJob from '../../../src/domain/devices/update-job';
import { byPrecedence, configRevision, latestUpdateJob, selectorsByPrecedence, mergedConfig, nextOffer, type OfferTarget } from '../../../src/domain/devices/matching';
import { fold } from '../../../src/domain/decider';
import type { CategorySelector, DomainName, JsonObject } from '../../../src/domain/values';
import { rightOf } from '../decider-spec';
import { firmware, id, MAC_A, model, T0, T1, version } from '../fixtures';
import { EXAMPLE, LAB, OFFICE, OTHER } from './fixtures';

const updateJob = (jobId: string, category: CategorySelector, ver = jobId, opts: { cancelled?: boolean; domain?: DomainName; waves?: number[] } = {}) =>
  fold(UpdateJob.decider, [
    {
      type: 'UpdateJobCreated',
      data: { jobId: id(jobId), domain: opts.domain ?? EXAMPLE, category, firmware: firmware(ver), waves: opts.waves ?? [100], failureThreshold: 0.1, at: T0 },
    },
    ...(opts.cancelled === true ? [{ type: 'UpdateJobCancelled' as const, data: { jobId: id(jobId), domain: opts.domain ?? EXAMPLE, category, at: T1 } }] : []),
  ]) as UpdateJob.Created;

const configJob = (jobId: string, type: string, category: CategorySelector, params: JsonObject, opts: { cancelled?: boolean; domain?: DomainName } = {}) => {
  const keys = { jobId: id(jobId), domain: opts.domain ?? EXAMPLE, category, type: rightOf(ConfigJob.parseConfigType(type)) };
  return fold(ConfigJob.decider, [
    { type: 'ConfigJobCreated', data: { ...keys, params, at: T0 } },
    ...(opts.cancelled === true ? [{ type: 'ConfigJobCancelled' as const, data: { ...keys, at: T1 } }] : []),
  ]) as ConfigJob.Created;
};

describe('matching: precedence of category selectors', () => {
  it('a category first, then `*`; `*` alone for `*`', () => {
    expect(selectorsByPrecedence(OFFICE)).toEqual([OFFICE, '*']);
    expect(selectorsByPrecedence('*')).toEqual(['*']);
  });

  it('takes the first selector that has something, else null', () => {
    const found = new Map<CategorySelector, string>([['*', 'any'], [LAB, 'lab']]);
    expect(byPrecedence(LAB, (s) => found.get(s))).toBe('lab');
    expect(byPrecedence(OFFICE, (s) => found.get(s))).toBe('any');
    expect(byPrecedence('*', (s) => found.get(s))).toBe('any');
    expect(byPrecedence(OFFICE, () => undefined)).toBeNull();
  });
});

describe('matching: the latest update job', () => {
  it('matches same domain and same category; the latest wins', () => {
    const jobs = [updateJob('a', OFFICE), updateJob('b', OFFICE), updateJob('c', LAB)];
    expect(latestUpdateJob(jobs, EXAMPLE, OFFICE)?.jobId).toBe('b');
    expect(latestUpdateJob(jobs, EXAMPLE, LAB)?.jobId).toBe('c');
  });

  it('a * job matches every category of its domain', () => {
    const jobs = [updateJob('star', '*')];
    expect(latestUpdateJob(jobs, EXAMPLE, OFFICE)?.jobId).toBe('star');
    expect(latestUpdateJob(jobs, EXAMPLE, LAB)?.jobId).toBe('star');
    expect(latestUpdateJob(jobs, OTHER, OFFICE)).toBeNull();
  });

  it('a * job loses to a job naming the category, even a newer * job', () => {
    const jobs = [updateJob('named', OFFICE), updateJob('star', '*')];
    expect(latestUpdateJob(jobs, EXAMPLE, OFFICE)?.jobId).toBe('named');
    expect(latestUpdateJob(jobs, EXAMPLE, LAB)?.jobId).toBe('star');
  });

  it('cancelled jobs do not match; the one before matches again', () => {
    const jobs = [updateJob('a', OFFICE), updateJob('b', OFFICE, 'b', { cancelled: true })];
    expect(latestUpdateJob(jobs, EXAMPLE, OFFICE)?.jobId).toBe('a');
    expect(latestUpdateJob([updateJob('x', '*', 'x', { cancelled: true })], EXAMPLE, OFFICE)).toBeNull();
  });

  it('jobs of another domain never match', () => {
    expect(latestUpdateJob([updateJob('o', OFFICE, 'o', { domain: OTHER })], EXAMPLE, OFFICE)).toBeNull();
  });
});

describe('matching: the merged config', () => {
  it('is the latest matching job of every type, merged', () => {
    const jobs = [
      configJob('s1', 'sip', OFFICE, { registrar: 'old' }),
      configJob('t1', 'time', '*', { ntp: 'pool.ntp.org' }),
      configJob('s2', 'sip', OFFICE, { registrar: 'new' }),
    ];
    const merged = mergedConfig(jobs, EXAMPLE, OFFICE);
    expect(merged?.settings).toEqual({ sip: { registrar: 'new' }, time: { ntp: 'pool.ntp.org' } });
  });

  it('per type, a job naming the category beats a * job', () => {
    const jobs = [configJob('named', 'sip', OFFICE, { registrar: 'office' }), configJob('star', 'sip', '*', { registrar: 'all' })];
    expect(mergedConfig(jobs, EXAMPLE, OFFICE)?.settings).toEqual({ sip: { registrar: 'office' } });
    expect(mergedConfig(jobs, EXAMPLE, LAB)?.settings).toEqual({ sip: { registrar: 'all' } });
  });

  it('cancelled jobs do not match; nothing matching is null', () => {
    const jobs = [configJob('a', 'sip', OFFICE, { v: 1 }), configJob('b', 'sip', OFFICE, { v: 2 }, { cancelled: true })];
    expect(mergedConfig(jobs, EXAMPLE, OFFICE)?.settings).toEqual({ sip: { v: 1 } });
    expect(mergedConfig([configJob('b', 'sip', OFFICE, {}, { cancelled: true })], EXAMPLE, OFFICE)).toBeNull();
    expect(mergedConfig([], EXAMPLE, OFFICE)).toBeNull();
  });

  it('the revision is deterministic, and changes when another job wins a type', () => {
    const jobs = [configJob('s1', 'sip', OFFICE, {}), configJob('t1', 'time', OFFICE, {})];
    const r1 = mergedConfig(jobs, EXAMPLE, OFFICE)?.revision;
    expect(mergedConfig([...jobs].reverse(), EXAMPLE, OFFICE)?.revision).toBe(r1);
    expect(r1).toMatch(/^[0-9a-f]{16}$/);
    const r2 = mergedConfig([...jobs, configJob('s2', 'sip', OFFICE, {})], EXAMPLE, OFFICE)?.revision;
    expect(r2).not.toBe(r1);
    expect(configRevision([['time', id('t1')], ['sip', id('s1')]])).toBe(r1);
  });
});

describe('matching: firmware before config', () => {
  const phone: OfferTarget = { mac: MAC_A, status: 'active', model: model('IP112'), firmware: version('old'), configRevision: null };
  const job = updateJob('new', OFFICE);
  const config = mergedConfig([configJob('s1', 'sip', OFFICE, { registrar: 'x' })], EXAMPLE, OFFICE);

  it('offers the firmware of the latest job while the phone runs another version, and no config yet', () => {
    const offer = nextOffer(phone, job, config);
    expect(offer.firmware).toEqual({
      jobId: 'new',
      version: 'new',
      url: 'https://fw.example.com/new/ip112.bin',
      sha256: 'a'.repeat(64),
      bootcode: 'new boot',
    });
    expect(offer.config).toBeNull();
  });

  it('offers the config once the firmware matches, until the phone reports the current revision', () => {
    const updated = { ...phone, firmware: version('new') };
    expect(nextOffer(updated, job, config)).toEqual({ firmware: null, config });
    expect(nextOffer({ ...updated, configRevision: config?.revision ?? null }, job, config)).toEqual({ firmware: null, config: null });
  });

  it('a job without a file for the phone model offers no firmware and does not hold back config', () => {
    expect(nextOffer({ ...phone, model: model('IP999') }, job, config)).toEqual({ firmware: null, config });
  });

  it('a phone outside the open wave of a staged job gets no firmware but its config', () => {
    const staged = updateJob('staged', OFFICE, 'staged', { waves: [0.01, 100] });
    expect(nextOffer(phone, staged, config)).toEqual({ firmware: null, config });
  });

  it('no job and no config: nothing to offer', () => {
    expect(nextOffer(phone, null, null)).toEqual({ firmware: null, config: null });
  });

  it('a phone awaiting approval is offered nothing', () => {
    expect(nextOffer({ ...phone, status: 'awaiting-approval' }, job, config)).toEqual({ firmware: null, config: null });
  });
});
