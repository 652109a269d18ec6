/** The Devices aggregates as the command handler takes them: decider and decoder. */
import { ConfigJob, Device, DeviceCode, DeviceCodeAudit, Tenant, DomainAdmin, UpdateJob } from '../../domain';
import type { Aggregate } from '../command-handler';

export const domainAggregate: Aggregate<Tenant.Command, Tenant.Event, Tenant.State> = {
  decider: Tenant.decider,
  decode: (stored) => Tenant.Event.decode(stored),
};

export const deviceCodeAggregate: Aggregate<DeviceCode.Command, DeviceCode.Event, DeviceCode.State> = {
  decider: DeviceCode.decider,
  decode: (stored) => DeviceCode.Event.decode(stored),
};

export const deviceAggregate: Aggregate<Device.Command, Device.Event, Device.State> = {
  decider: Device.decider,
  decode: (stored) => Device.Event.decode(stored),
};

export const updateJobAggregate: Aggregate<UpdateJob.Command, UpdateJob.Event, UpdateJob.State> = {
  decider: UpdateJob.decider,
  decode: (stored) => UpdateJob.Event.decode(stored),
};

export const configJobAggregate: Aggregate<ConfigJob.Command, ConfigJob.Event, ConfigJob.State> = {
  decider: ConfigJob.decider,
  decode: (stored) => ConfigJob.Event.decode(stored),
};

export const deviceCodeAuditAggregate: Aggregate<DeviceCodeAudit.Command, DeviceCodeAudit.Event, DeviceCodeAudit.State> = {
  decider: DeviceCodeAudit.decider,
  decode: (stored) => DeviceCodeAudit.Event.decode(stored),
};

export const domainAdminAggregate: Aggregate<DomainAdmin.Command, DomainAdmin.Event, DomainAdmin.State> = {
  decider: DomainAdmin.decider,
  decode: (stored) => DomainAdmin.Event.decode(stored),
};
