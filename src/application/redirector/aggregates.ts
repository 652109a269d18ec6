/** The Redirector's aggregates as the command handler takes them: decider and decoder. */
import type * as t from 'io-ts';
import { CodeAudit, DevicesUrlReservation, Installation, MacClaim, ProvisioningCode, type Decider, type DomainEvent } from '../../domain';
import type { Aggregate } from '../command-handler';

const aggregateOf = <C, Ev extends DomainEvent, S>(decider: Decider<C, Ev, S>, codec: t.Decoder<unknown, Ev>): Aggregate<C, Ev, S> => ({
  decider,
  decode: (stored) => codec.decode(stored),
});

export const provisioningCode = aggregateOf(ProvisioningCode.decider, ProvisioningCode.Event);
export const codeAudit = aggregateOf(CodeAudit.decider, CodeAudit.Event);
export const installation = aggregateOf(Installation.decider, Installation.Event);
export const devicesUrlReservation = aggregateOf(DevicesUrlReservation.decider, DevicesUrlReservation.Event);
export const macClaim = aggregateOf(MacClaim.decider, MacClaim.Event);
