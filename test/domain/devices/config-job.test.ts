import { describe, expect, it } from 'vitest';
import * as ConfigJob from '../../../src/domain/devices/config-job';
import * as Tenant from '../../../src/domain/devices/tenant';
import { deciderSpec, leftOf, rightOf } from '../decider-spec';
import { category, id, T0, T1, T2 } from '../fixtures';
import { EXAMPLE, exampleDomain, OFFICE } from './fixtures';

const given = deciderSpec(ConfigJob.decider, ConfigJob.Event);
const jobId = id('cfg-1');
const sip = rightOf(ConfigJob.parseConfigType('sip'));
const params = { registrar: 'sip.example.com', transport: 'tls', port: 5061 };
const keys = { jobId, domain: EXAMPLE, category: OFFICE, type: sip };

const create = (over: Partial<Extract<ConfigJob.Command, { type: 'CreateConfigJob' }>> = {}): ConfigJob.Command => ({
  type: 'CreateConfigJob',
  jobId,
  domain: EXAMPLE,
  category: OFFICE,
  domainState: exampleDomain,
  configType: sip,
  params,
  now: T0,
  ...over,
});
const created: ConfigJob.Event = { type: 'ConfigJobCreated', data: { ...keys, params, at: T0 } };
const cancelled: ConfigJob.Event = { type: 'ConfigJobCancelled', data: { ...keys, at: T1 } };

describe('ConfigJob', () => {
  it('is created with domain, category, config type and params', () => {
    given([]).when(create()).then([created]);
  });

  it('may target every category with *', () => {
    given([])
      .when(create({ category: '*' }))
      .then([{ type: 'ConfigJobCreated', data: { ...keys, category: '*', params, at: T0 } }]);
  });

  it('params must be a JSON object of bounded size', () => {
    given([]).when(create({ params: [1, 2] })).thenFails('validation-failed');
    given([]).when(create({ params: { at: new Date(0) } })).thenFails('validation-failed');
    given([]).when(create({ params: { n: Number.NaN } })).thenFails('validation-failed');
    given([]).when(create({ params: { big: 'x'.repeat(ConfigJob.MAX_PARAMS_CHARS) } })).thenFails('validation-failed');
  });

  it('an unknown domain or category is not-found', () => {
    given([]).when(create({ domainState: Tenant.initialState })).thenFails('not-found');
    given([]).when(create({ category: category('nope') })).thenFails('not-found');
  });

  it('jobs are immutable: creating one again is a conflict', () => {
    given([created]).when(create()).thenFails('conflict');
  });

  it('is cancelled once; again changes nothing; an unknown job is not-found', () => {
    given([created]).when({ type: 'CancelConfigJob', jobId, now: T1 }).then([cancelled]);
    given([created, cancelled]).when({ type: 'CancelConfigJob', jobId, now: T2 }).thenNothingHappens();
    given([]).when({ type: 'CancelConfigJob', jobId, now: T1 }).thenFails('not-found');
  });

  it('config types are lowercase tokens', () => {
    expect(rightOf(ConfigJob.parseConfigType('ldap'))).toBe('ldap');
    expect(rightOf(ConfigJob.parseConfigType('x-vendor'))).toBe('x-vendor');
    expect(leftOf(ConfigJob.parseConfigType('SIP')).code).toBe('validation-failed');
    expect(leftOf(ConfigJob.parseConfigType('')).code).toBe('validation-failed');
    expect(ConfigJob.streamName(jobId)).toBe('configJob-cfg-1');
  });
});
