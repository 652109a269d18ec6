/**
 * DeviceCodeAudit (Devices): what remains of Devices' record of a code once the code has
 * expired and its stream (which holds the MAC it bound) was purged
 * (`deviceCodeAudit-<codeHash>`). No personal data: the domain and category it was for,
 * when it expired, and whether a phone used it. Codes are random, so a later code may draw
 * the same digits again; the stream then holds one record per assignment.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/Either';
import { archiveDecider, type ArchiveState } from '../archive';
import type { Decider, DomainError } from '../decider';
import { eventCodec } from '../event-codec';
import { CategoryId } from '../values/category-id';
import { DomainName } from '../values/domain-name';
import { Digest } from '../values/secret';
import { Timestamp } from '../values/time';

export const streamCategory = 'deviceCodeAudit';
export const streamName = (codeHash: Digest): string => `${streamCategory}-${codeHash}`;

export const Event = eventCodec('DeviceCodeAuditEvent', {
  DeviceCodeArchived: t.strict({
    codeHash: Digest,
    domain: DomainName,
    category: CategoryId,
    expiresAt: Timestamp,
    used: t.boolean,
    at: Timestamp,
  }),
});
export type Event = t.TypeOf<typeof Event>;

export interface AuditRecord {
  readonly codeHash: Digest;
  readonly domain: DomainName;
  readonly category: CategoryId;
  readonly expiresAt: Timestamp;
  readonly used: boolean;
}

export type Command = { readonly type: 'ArchiveDeviceCode'; readonly record: AuditRecord; readonly now: Timestamp };

export type State = ArchiveState<AuditRecord>;

const archive = archiveDecider<AuditRecord, 'DeviceCodeArchived', Command>({
  type: 'DeviceCodeArchived',
  /** one record per assignment, told apart by when the code expired */
  key: (record) => record.expiresAt,
  same: (a, b) => a.codeHash === b.codeHash && a.domain === b.domain && a.category === b.category && a.expiresAt === b.expiresAt && a.used === b.used,
  conflict: 'a different record of this code is archived',
});

export const initialState: State = archive.initialState;
export const evolve = (state: State, event: Event): State => archive.evolve(state, event);
export const decide = (command: Command, state: State): E.Either<DomainError, readonly Event[]> => archive.decide(command, state);
export const decider: Decider<Command, Event, State> = { decide, evolve, initialState };
