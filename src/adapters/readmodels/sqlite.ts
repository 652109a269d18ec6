/**
 * Read models in the SQLite file beside the events. A projection batch (its document
 * changes and its checkpoint) is one IMMEDIATE transaction, guarded by a compare-and-set
 * on the checkpoint, so another process on the same file cannot apply the same batch too.
 */
import type Database from 'better-sqlite3';
import type { JsonObject } from '../../application/ports/event-store';
import type { Checkpoint, CommitArgs, ListOptions, ReadModelStore, Slot, StoredDoc } from '../../application/ports/read-model-store';
import { checkListOptions, prefixEnd } from './list-options';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS zt_projections (
  projection TEXT    NOT NULL,
  slot       TEXT    NOT NULL,
  generation INTEGER NOT NULL,
  position   INTEGER NOT NULL,
  version    INTEGER NOT NULL,
  updated_at TEXT    NOT NULL,
  PRIMARY KEY (projection, slot)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS zt_documents (
  projection TEXT    NOT NULL,
  generation INTEGER NOT NULL,
  collection TEXT    NOT NULL,
  key        TEXT    NOT NULL,
  doc        TEXT    NOT NULL,
  PRIMARY KEY (projection, generation, collection, key)
) WITHOUT ROWID;
`;

interface CheckpointRow {
  projection: string;
  slot: Slot;
  generation: number;
  position: number;
  version: number;
  updated_at: string;
}

const toCheckpoint = (r: CheckpointRow): Checkpoint => ({
  projection: r.projection,
  slot: r.slot,
  generation: r.generation,
  position: r.position,
  version: r.version,
  updatedAt: r.updated_at,
});

/** the live generation of the projection the parameter names (`@projection` or `?`) */
const liveGeneration = (projection: string): string => `(SELECT generation FROM zt_projections WHERE projection = ${projection} AND slot = 'live')`;
const LIVE = liveGeneration('@projection');

/** list statements kept prepared (one per shape of query and limit) */
const LIST_STATEMENTS = 128;

export class SqliteReadModelStore implements ReadModelStore {
  private readonly s;
  private readonly commitTx: (args: CommitArgs, updatedAt: string) => boolean;
  private readonly commitManyTx: (commits: readonly CommitArgs[], updatedAt: string) => boolean[];
  private readonly promoteTx: (projection: string, expected: Pick<Checkpoint, 'generation' | 'position'>, updatedAt: string) => boolean;
  private readonly dropTx: (projection: string, slot: Slot) => void;
  private readonly now: () => Date;
  private readonly listStatements = new Map<string, Database.Statement<Record<string, unknown>, { key: string; doc: string }>>();

  constructor(
    private readonly db: Database.Database,
    options: { now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date());
    db.exec(SCHEMA);
    this.s = {
      checkpoint: db.prepare<[string, string], CheckpointRow>('SELECT * FROM zt_projections WHERE projection = ? AND slot = ?'),
      checkpoints: db.prepare<[], CheckpointRow>('SELECT * FROM zt_projections ORDER BY projection, slot'),
      upsertCheckpoint: db.prepare(
        `INSERT INTO zt_projections (projection, slot, generation, position, version, updated_at)
         VALUES (@projection, @slot, @generation, @position, @version, @updatedAt)
         ON CONFLICT (projection, slot) DO UPDATE SET generation = excluded.generation, position = excluded.position,
           version = excluded.version, updated_at = excluded.updated_at`,
      ),
      deleteCheckpoint: db.prepare<[string, string]>('DELETE FROM zt_projections WHERE projection = ? AND slot = ?'),
      putDoc: db.prepare<[string, number, string, string, string]>(
        'INSERT INTO zt_documents (projection, generation, collection, key, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET doc = excluded.doc',
      ),
      deleteDoc: db.prepare<[string, number, string, string]>(
        'DELETE FROM zt_documents WHERE projection = ? AND generation = ? AND collection = ? AND key = ?',
      ),
      deleteGeneration: db.prepare<[string, number]>('DELETE FROM zt_documents WHERE projection = ? AND generation = ?'),
      deleteOtherGenerations: db.prepare<[string, number]>('DELETE FROM zt_documents WHERE projection = ? AND generation <> ?'),
      getIn: db.prepare<[string, number, string, string], { doc: string }>(
        'SELECT doc FROM zt_documents WHERE projection = ? AND generation = ? AND collection = ? AND key = ?',
      ),
      maxGeneration: db.prepare<[string, string], { g: number | null }>(
        'SELECT MAX(g) AS g FROM (SELECT MAX(generation) AS g FROM zt_projections WHERE projection = ? UNION ALL SELECT MAX(generation) FROM zt_documents WHERE projection = ?)',
      ),
      // positional parameters: the hot read of every query (named ones cost a third more here)
      get: db.prepare<[string, string, string, string], { doc: string }>(
        `SELECT doc FROM zt_documents WHERE projection = ? AND generation = ${liveGeneration('?')} AND collection = ? AND key = ?`,
      ),
      count: db.prepare<{ projection: string; collection: string; lo: string; hi: string | null }, { n: number }>(
        `SELECT COUNT(*) AS n FROM zt_documents WHERE projection = @projection AND generation = ${LIVE} AND collection = @collection
           AND key >= @lo AND (@hi IS NULL OR key < @hi)`,
      ),
    };
    const commitOne = (args: CommitArgs, updatedAt: string): boolean => {
      const current = this.s.checkpoint.get(args.projection, args.slot);
      if (args.expected === undefined ? current !== undefined : !current || current.generation !== args.expected.generation || current.position !== args.expected.position) {
        return false;
      }
      for (const change of args.changes) {
        if (change.doc === null) this.s.deleteDoc.run(args.projection, args.generation, change.collection, change.key);
        else this.s.putDoc.run(args.projection, args.generation, change.collection, change.key, JSON.stringify(change.doc));
      }
      this.s.upsertCheckpoint.run({
        projection: args.projection,
        slot: args.slot,
        generation: args.generation,
        position: args.position,
        version: args.version,
        updatedAt,
      });
      return true;
    };
    this.commitTx = db.transaction(commitOne).immediate;
    this.commitManyTx = db.transaction((commits: readonly CommitArgs[], updatedAt: string) => commits.map((c) => commitOne(c, updatedAt))).immediate;
    this.promoteTx = db.transaction((projection: string, expected: Pick<Checkpoint, 'generation' | 'position'>, updatedAt: string) => {
      const rebuild = this.s.checkpoint.get(projection, 'rebuild');
      if (!rebuild || rebuild.generation !== expected.generation || rebuild.position !== expected.position) return false;
      this.s.upsertCheckpoint.run({ ...toCheckpoint(rebuild), slot: 'live', updatedAt });
      this.s.deleteCheckpoint.run(projection, 'rebuild');
      this.s.deleteOtherGenerations.run(projection, rebuild.generation);
      return true;
    }).immediate;
    this.dropTx = db.transaction((projection: string, slot: Slot) => {
      const cp = this.s.checkpoint.get(projection, slot);
      if (!cp) return;
      this.s.deleteCheckpoint.run(projection, slot);
      const other = this.s.checkpoint.get(projection, slot === 'live' ? 'rebuild' : 'live');
      if (other?.generation !== cp.generation) this.s.deleteGeneration.run(projection, cp.generation);
    }).immediate;
  }

  async checkpoint(projection: string, slot: Slot): Promise<Checkpoint | undefined> {
    const row = this.s.checkpoint.get(projection, slot);
    return row && toCheckpoint(row);
  }

  async checkpoints(): Promise<readonly Checkpoint[]> {
    return this.s.checkpoints.all().map(toCheckpoint);
  }

  async commit(args: CommitArgs): Promise<boolean> {
    return this.commitTx(args, this.now().toISOString());
  }

  async commitMany(commits: readonly CommitArgs[]): Promise<readonly boolean[]> {
    return this.commitManyTx(commits, this.now().toISOString());
  }

  async getIn(projection: string, generation: number, collection: string, key: string): Promise<JsonObject | undefined> {
    const row = this.s.getIn.get(projection, generation, collection, key);
    return row && (JSON.parse(row.doc) as JsonObject);
  }

  async promote(projection: string, expected: Pick<Checkpoint, 'generation' | 'position'>): Promise<boolean> {
    return this.promoteTx(projection, expected, this.now().toISOString());
  }

  async dropSlot(projection: string, slot: Slot): Promise<void> {
    this.dropTx(projection, slot);
  }

  async maxGeneration(projection: string): Promise<number> {
    return this.s.maxGeneration.get(projection, projection)?.g ?? 0;
  }

  async get<T extends JsonObject>(projection: string, collection: string, key: string): Promise<T | undefined> {
    const row = this.s.get.get(projection, projection, collection, key);
    return row && (JSON.parse(row.doc) as T);
  }

  async getMany<T extends JsonObject>(projection: string, collection: string, keys: readonly string[]): Promise<ReadonlyMap<string, T>> {
    const found = new Map<string, T>();
    for (const key of new Set(keys)) {
      const row = this.s.get.get(projection, projection, collection, key);
      if (row) found.set(key, JSON.parse(row.doc) as T);
    }
    return found;
  }

  async list<T extends JsonObject>(projection: string, collection: string, options: ListOptions = {}): Promise<readonly StoredDoc<T>[]> {
    const { prefix, afterKey, limit, reverse } = checkListOptions(options);
    // one bound on each side, the tighter one: SQLite ranges its index scan on one bound
    // per side, so a second lower bound (the paging key after the prefix) would be a filter
    // over everything from the prefix on, and paging through a long list quadratic
    let lo: { value: string; strict: boolean } = { value: prefix, strict: false };
    const end = prefixEnd(prefix);
    let hi: { value: string; strict: boolean } | undefined = end === undefined ? undefined : { value: end, strict: true };
    if (afterKey !== undefined) {
      if (!reverse && afterKey >= lo.value) lo = { value: afterKey, strict: true };
      if (reverse && (hi === undefined || afterKey <= hi.value)) hi = { value: afterKey, strict: true };
    }
    const conditions = ['projection = @projection', `generation = ${LIVE}`, 'collection = @collection', lo.strict ? 'key > @lo' : 'key >= @lo'];
    if (hi !== undefined) conditions.push('key < @hi');
    const sql = `SELECT key, doc FROM zt_documents WHERE ${conditions.join(' AND ')} ORDER BY key ${reverse ? 'DESC' : 'ASC'} LIMIT ${limit}`;
    // the limit (a checked whole number) is written into the SQL: SQLite, built with STAT4,
    // prepares a statement with a `LIMIT` parameter again on every run
    let statement = this.listStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare<Record<string, unknown>, { key: string; doc: string }>(sql);
      if (this.listStatements.size >= LIST_STATEMENTS) this.listStatements.delete(this.listStatements.keys().next().value!);
      this.listStatements.set(sql, statement);
    }
    const params: Record<string, unknown> = { projection, collection, lo: lo.value };
    if (hi !== undefined) params['hi'] = hi.value;
    const rows = statement.all(params);
    return rows.map((r) => ({ key: r.key, doc: JSON.parse(r.doc) as T }));
  }

  async count(projection: string, collection: string, prefix = ''): Promise<number> {
    return this.s.count.get({ projection, collection, lo: prefix, hi: prefixEnd(prefix) ?? null })?.n ?? 0;
  }

  /** the database belongs to the event store, which closes it */
  async close(): Promise<void> {}
}
