/**
 * The front of a group-committing store (SQLite, PostgreSQL): appends and deletes are
 * checked at once (bad input never waits for a batch) and queued as operations that the
 * store writes together, each resolving or failing on its own.
 */
import type { AppendOptions, AppendResult, ExpectedVersion, NewEvent, PurgeOptions } from '../../application/ports/event-store';
import { validateAppend, validatePurge, validateStreamName } from '../../application/ports/event-store-checks';

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

export interface WriteQueue {
  /** throws when the store is closed */
  assertOpen(): void;
  /** add to the next batch (and schedule it) */
  enqueue(op: WriteOperation): void;
}

export function queueAppend(queue: WriteQueue, streamName: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
  const expected = options.expectedVersion ?? 'any';
  try {
    queue.assertOpen();
    validateAppend(streamName, events, expected);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => queue.enqueue({ kind: 'append', streamName, events, expected, resolve, reject }));
}

export function queueDelete(queue: WriteQueue, streamName: string): Promise<void> {
  try {
    queue.assertOpen();
    validateStreamName(streamName);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => queue.enqueue({ kind: 'delete', streamName, resolve, reject }));
}

export function queuePurge(queue: WriteQueue, streamName: string, options: PurgeOptions = {}): Promise<void> {
  try {
    queue.assertOpen();
    validatePurge(streamName, options);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => queue.enqueue({ kind: 'purge', streamName, options, resolve, reject }));
}
