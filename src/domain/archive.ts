/**
 * What the audit archives of both parts share: a stream per code hash that keeps one record
 * per life of the code (codes are random, so later digits may be drawn again). Archiving
 * the same record twice changes nothing; a different record under the same key is refused.
 */
import * as E from 'fp-ts/Either';
import { domainError, type Decider, type DomainError, type DomainEvent } from './decider';
import type { Timestamp } from './values/time';

export interface ArchiveState<R> {
  readonly records: readonly R[];
}

export interface Archive<R extends object, T extends string> {
  /** the event that archives one record */
  readonly type: T;
  /** what tells two lives of one code apart */
  readonly key: (record: R) => unknown;
  /** whether a kept record is the one archived again */
  readonly same: (kept: R, record: R) => boolean;
  readonly conflict: string;
}

export const archiveDecider = <R extends object, T extends string, C extends { readonly record: R; readonly now: Timestamp }>(
  archive: Archive<R, T>,
): Decider<C, DomainEvent<T, R & { readonly at: Timestamp }>, ArchiveState<R>> => ({
  initialState: { records: [] },
  evolve: (state, event) => {
    const { at: _, ...record } = event.data;
    return { records: [...state.records, record as unknown as R] };
  },
  decide: (command, state): E.Either<DomainError, readonly DomainEvent<T, R & { readonly at: Timestamp }>[]> => {
    const { record } = command;
    const kept = state.records.find((r) => archive.key(r) === archive.key(record));
    if (kept !== undefined) return archive.same(kept, record) ? E.right([]) : E.left(domainError('conflict', archive.conflict));
    return E.right([{ type: archive.type, data: { ...record, at: command.now } }]);
  },
});
