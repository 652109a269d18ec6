/** The Redirector's aggregates as the command handler takes them: decider and decoder. */
import { CodeAudit, DevicesUrlReservation, Installation, MacClaim, ProvisioningCode } from '../../domain';
import { aggregateOf } from '../command-handler';

export const provisioningCode = aggregateOf(ProvisioningCode);
export const codeAudit = aggregateOf(CodeAudit);
export const installation = aggregateOf(Installation);
export const devicesUrlReservation = aggregateOf(DevicesUrlReservation);
export const macClaim = aggregateOf(MacClaim);
