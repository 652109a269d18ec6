import { describe, expect, it } from 'vitest';
import * as DeviceCodeAudit from '../../../src/domain/devices/device-code-audit';
import { deciderSpec } from '../decider-spec';
import { AFTER_EXPIRY, digest, T0_PLUS_7D, T2, ts } from '../fixtures';
import { EXAMPLE, OFFICE } from './fixtures';

const given = deciderSpec(DeviceCodeAudit.decider, DeviceCodeAudit.Event);

const codeHash = digest('de'.repeat(32));
const record: DeviceCodeAudit.AuditRecord = { codeHash, domain: EXAMPLE, category: OFFICE, expiresAt: T0_PLUS_7D, used: true };
const archived: DeviceCodeAudit.Event = { type: 'DeviceCodeArchived', data: { ...record, at: AFTER_EXPIRY } };

describe('DeviceCodeAudit', () => {
  it('keeps the record of a purged code, without the MAC it bound', () => {
    given([]).when({ type: 'ArchiveDeviceCode', record, now: AFTER_EXPIRY }).then([archived]);
    expect(Object.keys(archived.data)).not.toContain('mac');
  });

  it('archiving the same record again changes nothing (a purge finished by the next one)', () => {
    given([archived]).when({ type: 'ArchiveDeviceCode', record, now: T2 }).thenNothingHappens();
  });

  it('a different record for the same expiry is a conflict', () => {
    given([archived]).when({ type: 'ArchiveDeviceCode', record: { ...record, used: false }, now: T2 }).thenFails('conflict');
  });

  it('a later code with the same digits gets its own record', () => {
    const later = { ...record, expiresAt: ts('2026-01-08T00:00:00Z'), used: false };
    given([archived]).when({ type: 'ArchiveDeviceCode', record: later, now: later.expiresAt }).then([{ type: 'DeviceCodeArchived', data: { ...later, at: later.expiresAt } }]);
  });

  it('lives in its own stream, which the purge does not delete', () => {
    expect(DeviceCodeAudit.streamName(codeHash)).toBe(`deviceCodeAudit-${codeHash}`);
  });
});
