/**
 * Purging codes that have ended: the stream of a code holds the phone's MAC, IP, model,
 * versions and time of first connect, and is deleted once the code is revoked or expired;
 * an audit record without personal data remains (`codeAudit-<codeHash>`).
 *
 * The order never loses personal data from sight:
 * 1. end each code on its stream (`CodeExpired` for an active code past its expiry);
 * 2. wait until `redirector-code-expiry` has seen the ending, so its row can stand in for
 *    the stream from now on;
 * 3. delete the stream;
 * 4. archive the audit record; only this removes the code's rows from the read model.
 * A purge stopped anywhere is finished by the next one: the code is still listed as due,
 * and once its stream is gone, its row supplies the audit record.
 */
import * as E from 'fp-ts/Either';
import { CodeAudit, isAtOrAfter, ProvisioningCode, type Digest, type Timestamp } from '../../domain';
import { handle, load } from '../command-handler';
import { codeAudit, provisioningCode } from './aggregates';
import { metadataOf, nowOf, type RedirectorDeps } from './deps';
import { inBatches } from './in-batches';
import { CODE_EXPIRY, type CodeRow } from './projections/code-expiry';

/** how long a purge waits for the read model before leaving the rest to the next run */
const PROJECTION_WAIT_MS = 5_000;
const CONCURRENCY = 16;

export interface PurgeCandidate {
  readonly codeHash: Digest;
  /** the code's row in the read model, if it has one */
  readonly row?: CodeRow;
}

export interface PurgeResult {
  /** codes whose audit record this run archived, by how they ended */
  readonly purged: { readonly expired: number; readonly revoked: number };
  /** codes not due yet (still valid) */
  readonly notDue: number;
  /** codes left for the next run: the read model did not catch up in time */
  readonly deferred: number;
}

type Ending =
  | { readonly kind: 'not-due' }
  | { readonly kind: 'gone' }
  | { readonly kind: 'ended'; readonly record: ProvisioningCode.AuditRecord; readonly position: number; readonly streamExists: boolean };

const recordOfRow = (row: CodeRow | undefined): ProvisioningCode.AuditRecord | null =>
  row === undefined || row.endedAt === null || row.reason === null
    ? null
    : {
        codeHash: row.codeHash,
        installationId: row.installationId,
        devicesUrl: row.devicesUrl,
        issuedAt: row.issuedAt,
        expiresAt: row.expiresAt,
        redeemed: row.redeemed,
        endedAt: row.endedAt,
        reason: row.reason,
      };

async function endCode(deps: Pick<RedirectorDeps, 'events' | 'random'>, candidate: PurgeCandidate, now: Timestamp): Promise<Ending> {
  const stream = ProvisioningCode.streamName(candidate.codeHash);
  const loaded = await load(deps.events, stream, provisioningCode);
  let state = loaded.state;
  let position = loaded.lastPosition;
  if (state.status === 'none') {
    // deleted by an earlier purge that stopped before archiving (or by another process just now)
    const record = recordOfRow(candidate.row);
    return record === null ? { kind: 'gone' } : { kind: 'ended', record, position: 0, streamExists: false };
  }
  if (state.status === 'active') {
    if (!isAtOrAfter(now, state.expiresAt)) return { kind: 'not-due' };
    const expired = await handle(deps.events, stream, provisioningCode, { type: 'ExpireCode', codeHash: candidate.codeHash, now }, {
      random: deps.random,
      metadata: metadataOf('system'),
    });
    if (E.isLeft(expired)) return { kind: 'gone' }; // purged by another process meanwhile
    state = expired.right.state;
    position = expired.right.position ?? position;
  }
  const record = ProvisioningCode.auditRecord(state);
  return record === null ? { kind: 'not-due' } : { kind: 'ended', record, position, streamExists: true };
}

/** Delete the stream, then archive the record: answers whether this run archived it. */
async function deleteAndArchive(deps: Pick<RedirectorDeps, 'events' | 'random'>, record: ProvisioningCode.AuditRecord, streamExists: boolean, now: Timestamp): Promise<boolean> {
  const stream = ProvisioningCode.streamName(record.codeHash);
  if (streamExists) {
    await deps.events.deleteStream(stream);
    // folding the deleted stream once more drops the command handler's cached state of it (MAC and all) from memory
    await load(deps.events, stream, provisioningCode);
  }
  const archived = await handle(deps.events, CodeAudit.streamName(record.codeHash), codeAudit, { type: 'ArchiveCodeHistory', record, now }, {
    random: deps.random,
    metadata: metadataOf('system'),
  });
  // a conflict: another process archived this issue with another ending first; its record stands
  return E.isRight(archived) && archived.right.events.length > 0;
}

/** Purge the candidates that have ended or are past their expiry; leave the others. */
export async function purgeCodes(deps: Pick<RedirectorDeps, 'events' | 'random' | 'clock' | 'projections'>, candidates: readonly PurgeCandidate[]): Promise<PurgeResult> {
  const now = nowOf(deps.clock);
  const endings = await inBatches(candidates, CONCURRENCY, (candidate) => endCode(deps, candidate, now));
  const due = endings.flatMap((e) => (e.kind === 'ended' ? [e] : []));
  const notDue = endings.filter((e) => e.kind === 'not-due').length;
  const purged = { expired: 0, revoked: 0 };
  if (due.length === 0) return { purged, notDue, deferred: 0 };
  try {
    await deps.projections.caughtUp({ name: CODE_EXPIRY, position: Math.max(...due.map((e) => e.position)), timeoutMs: PROJECTION_WAIT_MS });
  } catch {
    return { purged, notDue, deferred: due.length };
  }
  const archived = await inBatches(due, CONCURRENCY, (e) => deleteAndArchive(deps, e.record, e.streamExists, now));
  due.forEach((e, i) => {
    if (archived[i]) purged[e.record.reason]++;
  });
  return { purged, notDue, deferred: 0 };
}
