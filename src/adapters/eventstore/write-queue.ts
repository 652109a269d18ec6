/**
 * The front of a group-committing store (SQLite, PostgreSQL): appends, deletes and purges,
 * checked at once by the base (bad input never waits for a batch), are queued as
 * operations that the store writes together, each resolving or failing on its own.
 */
import type { AppendResult, ExpectedVersion, NewEvent, PurgeOptions } from '../../application/ports/event-store';
import { EventStoreBase } from './store-base';

export type WriteOperation =
  | {
      readonly kind: 'append';
      readonly streamName: string;
      readonly events: readonly NewEvent[];
      readonly expected: ExpectedVersion;
      readonly resolve: (r: AppendResult) => void;
      readonly reject: (e: unknown) => void;
    }
  | { readonly kind: 'delete'; readonly streamName: string; readonly resolve: () => void; readonly reject: (e: unknown) => void }
  | {
      readonly kind: 'purge';
      readonly streamName: string;
      readonly options: PurgeOptions;
      readonly resolve: () => void;
      readonly reject: (e: unknown) => void;
    };

export abstract class GroupCommitStore extends EventStoreBase {
  /** add to the next batch (and schedule it) */
  protected abstract enqueue(op: WriteOperation): void;

  protected appendEvents(streamName: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'append', streamName, events, expected, resolve, reject }));
  }

  protected deleteEvents(streamName: string): Promise<void> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'delete', streamName, resolve, reject }));
  }

  protected purgeEvents(streamName: string, options: PurgeOptions): Promise<void> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'purge', streamName, options, resolve, reject }));
  }
}
