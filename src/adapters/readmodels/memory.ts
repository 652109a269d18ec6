/** Read models in memory: for tests and `ZT_STORE=memory:`. */
import type { JsonObject } from '../../application/ports/event-store';
import type {
  Checkpoint,
  CommitArgs,
  DocChange,
  ListOptions,
  ReadModelStore,
  Slot,
  StoredDoc,
} from '../../application/ports/read-model-store';
import { checkListOptions, compareKeys } from './list-options';

type Docs = Map<string, JsonObject>; // `${collection}\0${key}` → doc

export class MemoryReadModelStore implements ReadModelStore {
  private readonly slots = new Map<string, Checkpoint>(); // `${projection}\0${slot}`
  private readonly generations = new Map<string, Docs>(); // `${projection}\0${generation}`
  private readonly now: () => Date;

  constructor(options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
  }

  async checkpoint(projection: string, slot: Slot): Promise<Checkpoint | undefined> {
    return this.slots.get(`${projection}\u0000${slot}`);
  }

  async checkpoints(): Promise<readonly Checkpoint[]> {
    return [...this.slots.values()];
  }

  async commitMany(commits: readonly CommitArgs[]): Promise<readonly boolean[]> {
    const results: boolean[] = [];
    for (const c of commits) results.push(await this.commit(c));
    return results;
  }

  async commit(args: CommitArgs): Promise<boolean> {
    const slotKey = `${args.projection}\u0000${args.slot}`;
    const current = this.slots.get(slotKey);
    if (args.expected === undefined ? current !== undefined : !current || current.generation !== args.expected.generation || current.position !== args.expected.position) {
      return false;
    }
    const docs = this.docs(args.projection, args.generation, true)!;
    for (const change of args.changes) applyChange(docs, change);
    this.slots.set(slotKey, {
      projection: args.projection,
      slot: args.slot,
      generation: args.generation,
      position: args.position,
      version: args.version,
      updatedAt: this.now().toISOString(),
    });
    return true;
  }

  async getIn(projection: string, generation: number, collection: string, key: string): Promise<JsonObject | undefined> {
    return this.docs(projection, generation)?.get(`${collection}\u0000${key}`);
  }

  async promote(projection: string, expected: Pick<Checkpoint, 'generation' | 'position'>): Promise<boolean> {
    const rebuild = this.slots.get(`${projection}\u0000rebuild`);
    if (!rebuild || rebuild.generation !== expected.generation || rebuild.position !== expected.position) return false;
    this.slots.set(`${projection}\u0000live`, { ...rebuild, slot: 'live', updatedAt: this.now().toISOString() });
    this.slots.delete(`${projection}\u0000rebuild`);
    for (const key of [...this.generations.keys()]) {
      if (key.startsWith(`${projection}\u0000`) && key !== `${projection}\u0000${rebuild.generation}`) this.generations.delete(key);
    }
    return true;
  }

  async dropSlot(projection: string, slot: Slot): Promise<void> {
    const cp = this.slots.get(`${projection}\u0000${slot}`);
    if (!cp) return;
    this.slots.delete(`${projection}\u0000${slot}`);
    const other = this.slots.get(`${projection}\u0000${slot === 'live' ? 'rebuild' : 'live'}`);
    if (other?.generation !== cp.generation) this.generations.delete(`${projection}\u0000${cp.generation}`);
  }

  async maxGeneration(projection: string): Promise<number> {
    let max = 0;
    for (const cp of this.slots.values()) if (cp.projection === projection) max = Math.max(max, cp.generation);
    for (const key of this.generations.keys()) {
      const [p, g] = key.split('\u0000');
      if (p === projection) max = Math.max(max, Number(g));
    }
    return max;
  }

  async get<T extends JsonObject>(projection: string, collection: string, key: string): Promise<T | undefined> {
    return this.liveDocs(projection)?.get(`${collection}\u0000${key}`) as T | undefined;
  }

  async getMany<T extends JsonObject>(projection: string, collection: string, keys: readonly string[]): Promise<ReadonlyMap<string, T>> {
    const docs = this.liveDocs(projection);
    const found = new Map<string, T>();
    for (const key of keys) {
      const doc = docs?.get(`${collection}\u0000${key}`);
      if (doc) found.set(key, doc as T);
    }
    return found;
  }

  async list<T extends JsonObject>(projection: string, collection: string, options: ListOptions = {}): Promise<readonly StoredDoc<T>[]> {
    const { prefix, afterKey, limit, reverse } = checkListOptions(options);
    const docs = this.liveDocs(projection);
    if (!docs) return [];
    const head = `${collection}\u0000`;
    const rows: StoredDoc<T>[] = [];
    for (const [k, doc] of docs) {
      if (!k.startsWith(head)) continue;
      const key = k.slice(head.length);
      if (!key.startsWith(prefix)) continue;
      if (afterKey !== undefined && (reverse ? compareKeys(key, afterKey) >= 0 : compareKeys(key, afterKey) <= 0)) continue;
      rows.push({ key, doc: doc as T });
    }
    rows.sort((a, b) => (reverse ? compareKeys(b.key, a.key) : compareKeys(a.key, b.key)));
    return rows.slice(0, limit);
  }

  async count(projection: string, collection: string, prefix = ''): Promise<number> {
    const docs = this.liveDocs(projection);
    if (!docs) return 0;
    const head = `${collection}\u0000${prefix}`;
    let n = 0;
    for (const k of docs.keys()) if (k.startsWith(head)) n++;
    return n;
  }

  async close(): Promise<void> {}

  private liveDocs(projection: string): Docs | undefined {
    const live = this.slots.get(`${projection}\u0000live`);
    return live ? this.docs(projection, live.generation) : undefined;
  }

  private docs(projection: string, generation: number, create = false): Docs | undefined {
    const key = `${projection}\u0000${generation}`;
    let docs = this.generations.get(key);
    if (!docs && create) {
      docs = new Map();
      this.generations.set(key, docs);
    }
    return docs;
  }
}

function applyChange(docs: Docs, change: DocChange): void {
  const key = `${change.collection}\u0000${change.key}`;
  if (change.doc === null) docs.delete(key);
  else docs.set(key, JSON.parse(JSON.stringify(change.doc)));
}
