/**
 * Where projections keep their read models: JSON documents by (collection, key), one set
 * per projection and generation, with the projection's checkpoint beside them. A batch of
 * document changes and the new checkpoint are committed together, and only if the
 * checkpoint is still where the projector read it (several app processes may run the same
 * projection on one database: exactly one of them moves it on).
 *
 * Adapters: memory, SQLite and PostgreSQL (the tables live next to the events).
 */
import type { JsonObject } from './event-store';

/** `live` is the read model queries use; `rebuild` is one being replayed beside it. */
export type Slot = 'live' | 'rebuild';

export interface Checkpoint {
  readonly projection: string;
  readonly slot: Slot;
  readonly generation: number;
  /** the global position of the last event applied (0: none yet) */
  readonly position: number;
  /** the projection's definition version that built this read model */
  readonly version: number;
  readonly updatedAt: string;
}

export interface DocChange {
  readonly collection: string;
  readonly key: string;
  /** the new document, or null to delete it */
  readonly doc: JsonObject | null;
}

export interface ListOptions {
  /** only keys starting with this */
  readonly prefix?: string;
  /** keys strictly after (or, reversed, before) this one: for paging */
  readonly afterKey?: string;
  /** default 100, at most 10,000 */
  readonly limit?: number;
  /** newest (greatest key) first */
  readonly reverse?: boolean;
}

export interface StoredDoc<T extends JsonObject = JsonObject> {
  readonly key: string;
  readonly doc: T;
}

export interface CommitArgs {
  readonly projection: string;
  readonly slot: Slot;
  readonly expected: Pick<Checkpoint, 'generation' | 'position'> | undefined;
  readonly generation: number;
  readonly version: number;
  readonly position: number;
  readonly changes: readonly DocChange[];
}

export interface ReadModelStore {
  /** the checkpoint of a projection's slot, or undefined before its first commit */
  checkpoint(projection: string, slot: Slot): Promise<Checkpoint | undefined>;
  checkpoints(): Promise<readonly Checkpoint[]>;
  /**
   * Write `changes` into (projection, generation) and move the slot's checkpoint from
   * `expected` to `position`, in one transaction. `expected` undefined means the slot must
   * not exist yet. Answers false, writing nothing, when the checkpoint is elsewhere.
   */
  commit(args: CommitArgs): Promise<boolean>;
  /**
   * Several commits (of different projections) in one transaction, each with its own
   * compare-and-set and its own answer, as `commit` would give them one by one. Optional:
   * where an adapter lacks it, callers commit one by one.
   */
  commitMany?(commits: readonly CommitArgs[]): Promise<readonly boolean[]>;
  /** a document of a given generation (projectors read what they are building) */
  getIn(projection: string, generation: number, collection: string, key: string): Promise<JsonObject | undefined>;
  /**
   * Make the rebuild slot live: in one transaction, if the rebuild slot is at `expected`,
   * the live checkpoint takes its generation and position, the rebuild slot goes and the
   * documents of every other generation are deleted. Answers false when it was not.
   */
  promote(projection: string, expected: Pick<Checkpoint, 'generation' | 'position'>): Promise<boolean>;
  /** delete a slot's checkpoint and the documents of its generation (an abandoned rebuild) */
  dropSlot(projection: string, slot: Slot): Promise<void>;
  /** the highest generation any slot or document of this projection used (0: none) */
  maxGeneration(projection: string): Promise<number>;

  /** queries: they read the live generation */
  get<T extends JsonObject = JsonObject>(projection: string, collection: string, key: string): Promise<T | undefined>;
  getMany<T extends JsonObject = JsonObject>(projection: string, collection: string, keys: readonly string[]): Promise<ReadonlyMap<string, T>>;
  list<T extends JsonObject = JsonObject>(projection: string, collection: string, options?: ListOptions): Promise<readonly StoredDoc<T>[]>;
  count(projection: string, collection: string, prefix?: string): Promise<number>;
  close(): Promise<void>;
}
