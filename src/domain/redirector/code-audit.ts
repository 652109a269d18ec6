/**
 * CodeAudit (Redirector): what remains of a provisioning code once it has ended and its
 * stream was purged (`codeAudit-<codeHash>`). No personal data: no MAC, IP, model,
 * versions or time of first connect. Codes are random, so a later code may draw the same
 * digits again; the stream then holds one record per issue.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { archiveDecider, type ArchiveState } from '../archive';
import type { Decider, DomainError } from '../decider';
import { eventCodec } from '../event-codec';
import { Id } from '../values/id';
import { Digest } from '../values/secret';
import { Timestamp } from '../values/time';
import { DevicesUrl } from '../values/url';
import type { AuditRecord } from './provisioning-code';

export const streamCategory = 'codeAudit';
export const streamName = (codeHash: Digest): string => `${streamCategory}-${codeHash}`;

export const Event = eventCodec('CodeAuditEvent', {
  CodeHistoryArchived: t.strict({
    codeHash: Digest,
    installationId: Id,
    devicesUrl: DevicesUrl,
    issuedAt: Timestamp,
    expiresAt: Timestamp,
    redeemed: t.boolean,
    endedAt: Timestamp,
    reason: t.keyof({ revoked: null, expired: null }),
    at: Timestamp,
  }),
});
export type Event = t.TypeOf<typeof Event>;

export type Command = { readonly type: 'ArchiveCodeHistory'; readonly record: AuditRecord; readonly now: Timestamp };

export type State = ArchiveState<AuditRecord>;

const archive = archiveDecider<AuditRecord, 'CodeHistoryArchived', Command>({
  type: 'CodeHistoryArchived',
  /** one record per issue, told apart by when the code was issued */
  key: (record) => record.issuedAt,
  same: (kept, record) => kept.reason === record.reason && kept.endedAt === record.endedAt,
  conflict: 'a different record of this issue is archived',
});

export const initialState: State = archive.initialState;
export const evolve = (state: State, event: Event): State => archive.evolve(state, event);
export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => archive.decide(command, state);
export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
