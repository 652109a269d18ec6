/** Opens the event store and the read model store that ZT_STORE names. */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EventStore } from '../../application/ports/event-store';
import type { ReadModelStore } from '../../application/ports/read-model-store';
import { MemoryEventStore } from '../eventstore/memory';
import { SqliteEventStore } from '../eventstore/sqlite';
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
  throw new Error(`unsupported store ${redact(url)}`);
}

/** the URL without its password */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
