import { describe, expect, it } from 'vitest';
import * as Tenant from '../../../src/domain/devices/tenant';
import * as DomainAdmin from '../../../src/domain/devices/domain-admin';
import { fold } from '../../../src/domain/decider';
import { deciderSpec } from '../decider-spec';
import { digest, id, name, T0, T1 } from '../fixtures';
import { EXAMPLE, exampleDomain, OTHER, otherDomain } from './fixtures';

const given = deciderSpec(DomainAdmin.decider, DomainAdmin.Event);

const ADMIN = id('6f1c2a9e-3b1d-4c5e-9f00-0a1b2c3d4e5f');
const TOKEN_HASH = digest('ab'.repeat(32));

const create = (domainState = exampleDomain, domain = EXAMPLE): DomainAdmin.Command => ({
  type: 'CreateDomainAdmin',
  adminId: ADMIN,
  domain,
  name: name('Customer IT'),
  tokenHash: TOKEN_HASH,
  domainState,
  now: T0,
});
const created: DomainAdmin.Event = { type: 'DomainAdminCreated', data: { adminId: ADMIN, domain: EXAMPLE, name: name('Customer IT'), tokenHash: TOKEN_HASH, at: T0 } };
const revoke = (domain = EXAMPLE): DomainAdmin.Command => ({ type: 'RevokeDomainAdmin', adminId: ADMIN, domain, now: T1 });
const revoked: DomainAdmin.Event = { type: 'DomainAdminRevoked', data: { adminId: ADMIN, domain: EXAMPLE, at: T1 } };

describe('DomainAdmin', () => {
  it('is created for an existing domain with the hash of its token', () => {
    const state = given([]).when(create()).then([created]);
    expect(DomainAdmin.activeAdmin(state)).toMatchObject({ adminId: ADMIN, domain: EXAMPLE, tokenHash: TOKEN_HASH, createdAt: T0 });
  });

  it('a domain that does not exist is not-found; an id taken is a conflict', () => {
    given([]).when(create(otherDomain)).thenFails('not-found', /no such domain/);
    given([]).when(create(Tenant.initialState)).thenFails('not-found');
    given([created]).when(create()).thenFails('conflict');
    given([created, revoked]).when(create()).thenFails('conflict');
  });

  it('revoking ends it: no longer active, and revoking again finds nothing', () => {
    const state = given([created]).when(revoke()).then([revoked]);
    expect(state.status).toBe('revoked');
    expect(DomainAdmin.activeAdmin(state)).toBeUndefined();
    given([created, revoked]).when(revoke()).thenFails('not-found');
  });

  it('an admin is not found from another domain, nor before it exists', () => {
    given([created]).when(revoke(OTHER)).thenFails('not-found');
    given([]).when(revoke()).thenFails('not-found');
  });

  it('lives in its own stream; a revocation of nothing folds to nothing', () => {
    expect(DomainAdmin.streamName(ADMIN)).toBe(`domainAdmin-${ADMIN}`);
    expect(fold(DomainAdmin.decider, [revoked])).toEqual({ status: 'none' });
  });
});
