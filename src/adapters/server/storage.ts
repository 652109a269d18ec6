/** Opens the event store and the read model store that ZT_STORE names. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EventStore } from '../../application/ports/event-store';
import type { ReadModelStore } from '../../application/ports/read-model-store';
import { MemoryEventStore } from '../eventstore/memory';
import { SqliteEventStore, openSqliteDatabase } from '../eventstore/sqlite';
import { MemoryReadModelStore } from '../readmodels/memory';
import { SqliteReadModelStore } from '../readmodels/sqlite';

export interface Storage {
  readonly events: EventStore;
  readonly readModels: ReadModelStore;
  /** for the banner, without credentials */
  readonly description: string;
  close(): Promise<void>;
}

export async function openStorage(url: string, dataDir: string): Promise<Storage> {
  if (url === 'memory:' || url.startsWith('memory:')) {
    const events = new MemoryEventStore();
    return { events, readModels: new MemoryReadModelStore(), description: 'memory (nothing is kept after exit)', close: () => events.close() };
  }
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length) || join(dataDir, 'zerotouch.db');
    mkdirSync(dirname(file), { recursive: true });
    const events = SqliteEventStore.open(file);
    const readModels = new SqliteReadModelStore(events.db);
    return { events, readModels, description: `sqlite ${file}`, close: () => events.close() };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    // several app processes may share the database: events, read models and checkpoints all live there
    // (the drivers of the other stores are loaded only when they are used)
    const { PostgresEventStore } = await import('../eventstore/postgres');
    const { PostgresReadModelStore } = await import('../readmodels/postgres');
    const events = await PostgresEventStore.open(url);
    const readModels = await PostgresReadModelStore.open(events.pool);
    return {
      events,
      readModels,
      description: `postgres ${redact(url)}`,
      close: async () => {
        await readModels.close();
        await events.close();
      },
    };
  }
  if (url.startsWith('esdb://') || url.startsWith('esdb+discover://')) {
    // EventStoreDB holds the log; each app process keeps its read models in a local SQLite file
    const { EventStoreDbEventStore } = await import('../eventstore/eventstoredb');
    const events = EventStoreDbEventStore.connect(url);
    mkdirSync(dataDir, { recursive: true });
    const db = openSqliteDatabase(join(dataDir, 'read-models.db'));
    const readModels = new SqliteReadModelStore(db);
    return {
      events,
      readModels,
      description: `eventstoredb ${redact(url)} (read models in ${join(dataDir, 'read-models.db')})`,
      close: async () => {
        await events.close();
        db.close();
      },
    };
  }
  throw new Error(`unsupported store ${redact(url)}`);
}

/** the URL without its password */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
