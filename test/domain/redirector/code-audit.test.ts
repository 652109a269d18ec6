import { describe, expect, it } from 'vitest';
import * as CodeAudit from '../../../src/domain/redirector/code-audit';
import type { AuditRecord } from '../../../src/domain/redirector/provisioning-code';
import { deciderSpec } from '../decider-spec';
import { AFTER_EXPIRY, digest, id, T0, T0_PLUS_7D, T2, ts, url } from '../fixtures';

const given = deciderSpec(CodeAudit.decider, CodeAudit.Event);

const codeHash = digest('c0de'.repeat(16));
const record: AuditRecord = {
  codeHash,
  installationId: id('inst-1'),
  devicesUrl: url('https://devices.example.com'),
  issuedAt: T0,
  expiresAt: T0_PLUS_7D,
  redeemed: true,
  endedAt: AFTER_EXPIRY,
  reason: 'expired',
};
const archived: CodeAudit.Event = { type: 'CodeHistoryArchived', data: { ...record, at: AFTER_EXPIRY } };

describe('CodeAudit', () => {
  it('keeps the audit record of a purged code', () => {
    given([]).when({ type: 'ArchiveCodeHistory', record, now: AFTER_EXPIRY }).then([archived]);
  });

  it('archiving the same record again changes nothing (a retried purge)', () => {
    given([archived]).when({ type: 'ArchiveCodeHistory', record, now: T2 }).thenNothingHappens();
  });

  it('a different record of the same issue is a conflict', () => {
    given([archived]).when({ type: 'ArchiveCodeHistory', record: { ...record, reason: 'revoked' }, now: T2 }).thenFails('conflict');
  });

  it('a later issue of the same digits gets its own record', () => {
    const later = { ...record, issuedAt: ts('2026-01-01T00:00:00Z'), expiresAt: ts('2026-01-08T00:00:00Z'), endedAt: ts('2026-01-08T00:00:00Z') };
    given([archived]).when({ type: 'ArchiveCodeHistory', record: later, now: later.endedAt }).then([
      { type: 'CodeHistoryArchived', data: { ...later, at: later.endedAt } },
    ]);
  });

  it('lives in its own stream, which the purge does not delete', () => {
    expect(CodeAudit.streamName(codeHash)).toBe(`codeAudit-${codeHash}`);
  });
});
