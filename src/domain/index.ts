/** The pure domain core: values, deciders, matching rules. No I/O, no clock, no randomness. */
export * from './decider';
export * from './event-codec';
export * from './catalogue';
export * from './values';

export * as ProvisioningCode from './redirector/provisioning-code';
export * as CodeAudit from './redirector/code-audit';
export * as Installation from './redirector/installation';
export * as DevicesUrlReservation from './redirector/devices-url-reservation';
export * as MacClaim from './redirector/mac-claim';

export * as Tenant from './devices/tenant';
export * as DomainAdmin from './devices/domain-admin';
export * as DeviceCode from './devices/device-code';
export * as DeviceCodeAudit from './devices/device-code-audit';
export * as Device from './devices/device';
export * as UpdateJob from './devices/update-job';
export * as ConfigJob from './devices/config-job';
export * from './devices/matching';
export * from './devices/waves';

export * as User from './users/user';
export * as PhoneApp from './users/phone-app';
export * as UserDevice from './users/user-device';
export * as UnassignedPhone from './users/unassigned-phone';
export * as Rollout from './users/rollout';
export * from './users/phone-notice';
export * from './throttle';
