/**
 * The documents a live projection read or committed recently, so the next batch need not
 * ask the read model store for them again (on PostgreSQL each read is a round trip; a
 * phone's flow made 14 of them).
 *
 * It holds only what the store held while this process's checkpoint was the stored one:
 * a read is the committed document, and a commit that succeeded from that checkpoint
 * proves no one else wrote in between (every document write moves the checkpoint by a
 * compare-and-set), so the committed changes are added after it. Whatever else happens
 * empties it: a lost race or a promote (the runner reloads the checkpoint), a lease that
 * moved, a batch or a commit that failed (a commit that threw may have landed). Cached
 * documents are frozen, so a projection that changed a document it read, instead of
 * writing a new one, fails loudly rather than changing the cache behind the store's back.
 * Absent documents are remembered too (as `null`).
 */
import type { JsonObject } from '../ports/event-store';
import type { DocChange } from '../ports/read-model-store';
import { RecentMap } from '../recent-map';
import { docSlot } from './projection';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export class DocumentCache {
  private readonly docs: RecentMap<string, JsonObject | null>;

  /** at most `entries` documents, those used least recently leave first (recent-map.ts; 0: nothing is kept) */
  constructor(entries: number) {
    this.docs = new RecentMap(entries);
  }

  /** the cached document, `null` when it is known to be absent, `undefined` when not cached */
  get(collection: string, key: string): JsonObject | null | undefined {
    return this.docs.get(docSlot(collection, key));
  }

  /** a document as the store answered it (undefined: absent) */
  read(collection: string, key: string, doc: JsonObject | undefined): void {
    this.docs.set(docSlot(collection, key), deepFreeze(doc ?? null));
  }

  /** the changes of a batch whose commit succeeded */
  committed(changes: Iterable<DocChange>): void {
    for (const change of changes) this.docs.set(docSlot(change.collection, change.key), deepFreeze(change.doc));
  }

  clear(): void {
    this.docs.clear();
  }

  get size(): number {
    return this.docs.size;
  }
}
