/** The Redirector's aggregates as the command handler takes them: decider and decoder. */
import { CodeAudit, DevicesUrlReservation, Installation, MacClaim, ProvisioningCode } from '../../domain';
import type { Aggregate } from '../command-handler';

export const provisioningCode: Aggregate<ProvisioningCode.Command, ProvisioningCode.Event, ProvisioningCode.State> = {
  decider: ProvisioningCode.decider,
  decode: (stored) => ProvisioningCode.Event.decode(stored),
};

export const codeAudit: Aggregate<CodeAudit.Command, CodeAudit.Event, CodeAudit.State> = {
  decider: CodeAudit.decider,
  decode: (stored) => CodeAudit.Event.decode(stored),
};

export const installation: Aggregate<Installation.Command, Installation.Event, Installation.State> = {
  decider: Installation.decider,
  decode: (stored) => Installation.Event.decode(stored),
};

export const devicesUrlReservation: Aggregate<DevicesUrlReservation.Command, DevicesUrlReservation.Event, DevicesUrlReservation.State> = {
  decider: DevicesUrlReservation.decider,
  decode: (stored) => DevicesUrlReservation.Event.decode(stored),
};

export const macClaim: Aggregate<MacClaim.Command, MacClaim.Event, MacClaim.State> = {
  decider: MacClaim.decider,
  decode: (stored) => MacClaim.Event.decode(stored),
};
