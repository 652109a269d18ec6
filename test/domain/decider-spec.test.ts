/** The given/when/then helper catches what it should. */
import * as E from 'fp-ts/Either';
import { describe, expect, it } from 'vitest';
import type { Decider } from '../../src/domain/decider';
import * as ProvisioningCode from '../../src/domain/redirector/provisioning-code';
import { deciderSpec } from './decider-spec';
import { digest, id, T0, url } from './fixtures';

const codeHash = digest('c0de'.repeat(16));
const installation = { installationId: id('inst-1'), devicesUrl: url('https://devices.example.com') };
const issue: ProvisioningCode.Command = { type: 'IssueCode', codeHash, installation, devicesUrl: installation.devicesUrl, now: T0 };

describe('deciderSpec', () => {
  const given = deciderSpec(ProvisioningCode.decider, ProvisioningCode.Event);

  it('fails when the events differ', () => {
    expect(() => given([]).when(issue).then([])).toThrow();
  });

  it('fails when a refusal was expected but events came, or another refusal came', () => {
    expect(() => given([]).when(issue).thenFails('conflict')).toThrow();
    expect(() => given([]).when({ ...issue, devicesUrl: url('https://evil.example') }).thenFails('conflict')).toThrow();
  });

  it('fails when a decider emits data its codec does not read back unchanged', () => {
    const leaky: Decider<ProvisioningCode.Command, ProvisioningCode.Event, ProvisioningCode.State> = {
      ...ProvisioningCode.decider,
      decide: (command, state) =>
        E.map((events: readonly ProvisioningCode.Event[]) =>
          events.map((e) => ({ ...e, data: { ...e.data, extra: 'not in the codec' } }) as unknown as ProvisioningCode.Event),
        )(ProvisioningCode.decide(command, state)),
    };
    const events = E.getOrElse((): readonly ProvisioningCode.Event[] => [])(leaky.decide(issue, ProvisioningCode.initialState));
    expect(() => deciderSpec(leaky, ProvisioningCode.Event)([]).when(issue).then(events)).toThrow();
  });

  it('fails when a given event is not valid stored data', () => {
    const bad = { type: 'CodeRevoked', data: { codeHash: 'short', at: T0 } } as unknown as ProvisioningCode.Event;
    expect(() => given([bad]).when(issue).thenFails('conflict')).toThrow();
  });
});
