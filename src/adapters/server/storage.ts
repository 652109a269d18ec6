/**
 * Opens the storage that ZT_STORE names: the event store, the read models, and what the
 * parts keep beside them outside the event log (the presence table, the guess throttle's
 * buckets, the set-up record, the leases of work that runs on one node at a time). Each
 * store brings its own: the parts ask the storage, never which store it is. The drivers
 * of PostgreSQL and EventStoreDB are loaded only when ZT_STORE names them.
 */
import { mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { PresenceStore } from '../../application/devices/presence';
import type { EventStore } from '../../application/ports/event-store';
import { localLeases, type Leases } from '../../application/ports/leases';
import type { ReadModelStore } from '../../application/ports/read-model-store';
import { MemorySetupRecord, type SetupRecord } from '../../application/ports/setup-record';
import { MemoryThrottleStore, type ThrottleStore } from '../../application/ports/throttle-store';
import { MemoryPresenceStore, SqlitePresenceStore } from '../devices/presence-stores';
import { MemoryEventStore } from '../eventstore/memory';
import { SqliteEventStore, openSqliteDatabase } from '../eventstore/sqlite';
import { SqliteSetupRecord } from '../eventstore/sqlite-setup';
import { MemoryReadModelStore } from '../readmodels/memory';
import { SqliteReadModelStore } from '../readmodels/sqlite';

export interface Storage {
  readonly events: EventStore;
  readonly readModels: ReadModelStore;
  /** Devices' "last seen" times */
  readonly presence: PresenceStore;
  /** the buckets of the guess throttles (shared by every node where the store is) */
  readonly throttle: ThrottleStore;
  /** facts of the first set-up (the fingerprint of the server secret) */
  readonly setup: SetupRecord;
  /** work that runs on one node at a time; always granted where one process opens the store */
  readonly leases: Leases;
  /** for the banner, without credentials */
  readonly description: string;
  /**
   * Where a worker thread opens the same storage with connections of its own, to run the
   * projections off the event loop (projection-thread.ts); only for SQLite files.
   */
  readonly files?: { readonly events: string; readonly readModels: string };
  close(): Promise<void>;
}

export async function openStorage(url: string, dataDir: string): Promise<Storage> {
  if (url === 'memory:' || url.startsWith('memory:')) {
    const events = new MemoryEventStore();
    return {
      events,
      readModels: new MemoryReadModelStore(),
      presence: new MemoryPresenceStore(),
      throttle: new MemoryThrottleStore(),
      setup: new MemorySetupRecord(),
      leases: localLeases,
      description: 'memory (nothing is kept after exit)',
      close: () => events.close(),
    };
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length) || join(dataDir, 'zerotouch.db');
    mkdirSync(dirname(file), { recursive: true });
    // the read models in a file of their own: their commits never wait for the appends'
    // write lock, nor the appends for theirs (they may be written from another thread); a
    // purge erases their copies of the purged data with the log's
    const readModelsFile = readModelsFileOf(file);
    const readModelsDb = openSqliteDatabase(readModelsFile);
    const events = SqliteEventStore.open(file, { eraseWith: [readModelsDb] });
    return {
      events,
      readModels: new SqliteReadModelStore(readModelsDb),
      presence: new SqlitePresenceStore(events.db),
      // one process opens the file: its memory is the only place guesses arrive
      throttle: new MemoryThrottleStore(),
      setup: new SqliteSetupRecord(events.db),
      leases: localLeases,
      description: `sqlite ${file} (read models in ${readModelsFile})`,
      files: { events: file, readModels: readModelsFile },
      close: async () => {
        await events.close();
        readModelsDb.close();
      },
    };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // several app processes may share the database: all of it lives there
    const { openPostgresStorage } = await import('./postgres-storage');
    return openPostgresStorage(url, redact(url));
  }
  if (url.startsWith('esdb://') || url.startsWith('esdb+discover://')) {
    // EventStoreDB holds the log; each app process keeps its read models in a local SQLite file
    const { EventStoreDbEventStore } = await import('../eventstore/eventstoredb');
    const events = EventStoreDbEventStore.connect(url);
    mkdirSync(dataDir, { recursive: true });
    const db = openSqliteDatabase(join(dataDir, 'read-models.db'));
    return {
      events,
      readModels: new SqliteReadModelStore(db),
      presence: new SqlitePresenceStore(db),
      throttle: new MemoryThrottleStore(),
      setup: new SqliteSetupRecord(db),
      leases: localLeases,
      description: `eventstoredb ${redact(url)} (read models in ${join(dataDir, 'read-models.db')})`,
      close: async () => {
        await events.close();
        db.close();
      },
    };
  }
  throw new Error(`unsupported store ${redact(url)}`);
}

/** beside the event log: zerotouch.db → zerotouch.read-models.db */
export function readModelsFileOf(eventsFile: string): string {
  const ext = extname(eventsFile);
  return join(dirname(eventsFile), `${basename(eventsFile, ext)}.read-models${ext || '.db'}`);
}

/** the URL without its password */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
