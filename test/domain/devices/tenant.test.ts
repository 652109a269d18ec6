import * as E from 'fp-ts/Either';
import { describe, expect, it } from 'vitest';
import * as Tenant from '../../../src/domain/devices/tenant';
import { deciderSpec, leftOf, rightOf } from '../decider-spec';
import { category, name, sealed, T0, T1 } from '../fixtures';
import { categoryAdded, domainCreated, EXAMPLE, exampleDomain, LAB, OFFICE, OTHER } from './fixtures';

const given = deciderSpec(Tenant.decider, Tenant.Event);

describe('Tenant (a customer domain)', () => {
  const create: Tenant.Command = { type: 'CreateDomain', domain: EXAMPLE, appPasswordSealed: sealed('v1.sealed.app-password'), now: T0 };

  it('is created with its app password sealed', () => {
    given([]).when(create).then([domainCreated()]);
  });

  it('creating it twice is a conflict', () => {
    given([domainCreated()]).when(create).thenFails('conflict');
  });

  it('lives in its own stream', () => {
    expect(Tenant.streamName(EXAMPLE)).toBe('domain-example.com');
  });
});

describe('Domain: categories', () => {
  const add = (categoryId = OFFICE, provisioning = true): Tenant.Command => ({
    type: 'AddCategory',
    domain: EXAMPLE,
    categoryId,
    name: name(categoryId.toUpperCase()),
    provisioning,
    now: T0,
  });

  it('a category is added with its provisioning flag', () => {
    given([domainCreated()]).when(add()).then([categoryAdded()]);
    given([domainCreated()]).when(add(LAB, false)).then([categoryAdded(LAB, false)]);
  });

  it('adding a category id the domain has is a conflict', () => {
    given([domainCreated(), categoryAdded()]).when(add(OFFICE, false)).thenFails('conflict');
  });

  it('a category of a domain that does not exist is not-found', () => {
    given([]).when(add()).thenFails('not-found');
    given([domainCreated(OTHER)]).when(add()).thenFails('not-found');
  });

  it('provisioning is switched on and off; the same value again changes nothing', () => {
    const set = (categoryId = LAB, provisioning = true): Tenant.Command => ({
      type: 'SetCategoryProvisioning',
      domain: EXAMPLE,
      categoryId,
      provisioning,
      now: T1,
    });
    given([domainCreated(), categoryAdded(LAB, false)])
      .when(set())
      .then([{ type: 'CategoryProvisioningChanged', data: { domain: EXAMPLE, categoryId: LAB, provisioning: true, at: T1 } }]);
    given([domainCreated(), categoryAdded(LAB, false)]).when(set(LAB, false)).thenNothingHappens();
    given([domainCreated()]).when(set()).thenFails('not-found');
  });
});

describe('Domain: codes only for enabled categories', () => {
  it('an enabled category may get codes', () => {
    expect(rightOf(Tenant.categoryForProvisioning(exampleDomain, OFFICE)).id).toBe(OFFICE);
  });

  it('a category not enabled for provisioning is forbidden', () => {
    expect(leftOf(Tenant.categoryForProvisioning(exampleDomain, LAB)).code).toBe('forbidden');
  });

  it('an unknown category, or a missing domain, is not-found', () => {
    expect(leftOf(Tenant.categoryForProvisioning(exampleDomain, category('nope'))).code).toBe('not-found');
    expect(leftOf(Tenant.categoryForProvisioning(Tenant.initialState, OFFICE)).code).toBe('not-found');
  });

  it('Users is offered only the categories enabled for provisioning', () => {
    expect(Tenant.provisioningCategories(exampleDomain).map((c) => c.id)).toEqual(['office', 'kiosk']);
  });

  it('a job may name an existing category or *', () => {
    expect(E.isRight(Tenant.checkSelector(exampleDomain, EXAMPLE, '*'))).toBe(true);
    expect(E.isRight(Tenant.checkSelector(exampleDomain, EXAMPLE, LAB))).toBe(true);
    expect(leftOf(Tenant.checkSelector(exampleDomain, EXAMPLE, category('nope'))).code).toBe('not-found');
    expect(leftOf(Tenant.checkSelector(exampleDomain, OTHER, '*')).code).toBe('not-found');
  });
});
