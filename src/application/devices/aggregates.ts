/** The Devices aggregates as the command handler takes them: decider and decoder. */
import { ConfigJob, Device, DeviceCode, DeviceCodeAudit, Tenant, DomainAdmin, UpdateJob } from '../../domain';
import { aggregateOf } from '../command-handler';

export const domainAggregate = aggregateOf(Tenant);
export const deviceCodeAggregate = aggregateOf(DeviceCode);
export const deviceAggregate = aggregateOf(Device);
export const updateJobAggregate = aggregateOf(UpdateJob);
export const configJobAggregate = aggregateOf(ConfigJob);
export const deviceCodeAuditAggregate = aggregateOf(DeviceCodeAudit);
export const domainAdminAggregate = aggregateOf(DomainAdmin);
