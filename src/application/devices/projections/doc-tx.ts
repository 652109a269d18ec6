/**
 * The document changes one event makes, with reads that see them: a projection's `apply`
 * reads through the view, but the view only shows changes of earlier events of the batch,
 * so an event touching the same document twice reads its own writes through this.
 */
import type * as t from 'io-ts';
import type { JsonObject, RecordedEvent } from '../../ports/event-store';
import type { DocChange } from '../../ports/read-model-store';
import { docSlot, type ReadModelView } from '../../projections/projection';

export class DocTx {
  private readonly pending = new Map<string, DocChange>();

  constructor(private readonly view: ReadModelView) {}

  async get<T>(collection: string, key: string): Promise<T | undefined> {
    const change = this.pending.get(docSlot(collection, key));
    if (change) return (change.doc ?? undefined) as T | undefined;
    return (await this.view.get(collection, key)) as T | undefined;
  }

  /** documents are the projection's own plain data: JSON by construction */
  put(collection: string, key: string, doc: object): void {
    this.pending.set(docSlot(collection, key), { collection, key, doc: doc as JsonObject });
  }

  remove(collection: string, key: string): void {
    this.pending.set(docSlot(collection, key), { collection, key, doc: null });
  }

  changes(): readonly DocChange[] {
    return [...this.pending.values()];
  }
}

/** A stored event of the aggregate the codec describes, or undefined (another type, or data that does not decode). */
export const decodeEvent = <Ev>(codec: t.Decoder<unknown, Ev>, event: RecordedEvent): Ev | undefined => {
  const decoded = codec.decode({ type: event.type, data: event.data });
  return decoded._tag === 'Right' ? decoded.right : undefined;
};

/** Global positions as fixed-width keys, so keys sort in the order of the log. */
export const positionKey = (position: number): string => String(position).padStart(16, '0');
