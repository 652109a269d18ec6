/** Shared Devices fixtures: a domain `example.com` with `office` (enabled) and `lab` (disabled). */
import { fold } from '../../../src/domain/decider';
import * as Tenant from '../../../src/domain/devices/tenant';
import { category, domainName, name, sealed, T0 } from '../fixtures';

export const EXAMPLE = domainName('example.com');
export const OTHER = domainName('other.example');
export const OFFICE = category('office');
export const LAB = category('lab');
export const KIOSK = category('kiosk');

export const domainCreated = (domain = EXAMPLE): Tenant.Event => ({
  type: 'DomainCreated',
  data: { domain, appPasswordSealed: sealed('v1.sealed.app-password'), at: T0 },
});
export const categoryAdded = (categoryId = OFFICE, provisioning = true, domain = EXAMPLE): Tenant.Event => ({
  type: 'CategoryAdded',
  data: { domain, categoryId, name: name(categoryId.toUpperCase()), provisioning, at: T0 },
});

export const exampleDomain: Tenant.State = fold(Tenant.decider, [
  domainCreated(),
  categoryAdded(OFFICE, true),
  categoryAdded(LAB, false),
  categoryAdded(KIOSK, true),
]);
export const otherDomain: Tenant.State = fold(Tenant.decider, [domainCreated(OTHER), categoryAdded(OFFICE, true, OTHER)]);
