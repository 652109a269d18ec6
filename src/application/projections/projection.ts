/**
 * A projection: a named function from events to read-model changes. It sees each event
 * once per read model (at least once: a batch whose commit lost a race is applied again
 * to fresh state), reads the documents it needs through the view and answers the changes.
 * It must be deterministic: the same events over the same documents give the same changes.
 */
import type { JsonObject, RecordedEvent } from '../ports/event-store';
import type { DocChange } from '../ports/read-model-store';

export interface ReadModelView {
  /** a document as it stands after the changes already answered in this batch */
  get<T extends JsonObject = JsonObject>(collection: string, key: string): Promise<T | undefined>;
}

export interface Projection {
  readonly name: string;
  /** bump when `apply` changes meaning: a read model built by another version is rebuilt */
  readonly version: number;
  /** the event types it reads; others only move its checkpoint */
  readonly eventTypes: readonly string[];
  apply(event: RecordedEvent, view: ReadModelView): Promise<readonly DocChange[]> | readonly DocChange[];
}

/** a document's place in a map of documents or changes: its collection and its key, a NUL between them */
export const docSlot = (collection: string, key: string): string => `${collection}\u0000${key}`;

export const put = (collection: string, key: string, doc: JsonObject): DocChange => ({ collection, key, doc });
export const remove = (collection: string, key: string): DocChange => ({ collection, key, doc: null });
