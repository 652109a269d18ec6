import { join } from 'node:path';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite';
import { tempDir } from '../support/temp-dir';
import { eventStoreContract } from './event-store.contract';

for (const backgroundCheckpoints of [true, false]) {
  eventStoreContract(backgroundCheckpoints ? 'sqlite' : 'sqlite (WAL checkpoints in the committing connection)', async () => {
    const dir = tempDir('zt-sqlite-contract-');
    const file = join(dir.path, 'events.db');
    return {
      // each open() is its own connection to the same file, as another process would have
      open: async () => SqliteEventStore.open(file, { backgroundCheckpoints }),
      dispose: async () => dir.remove(),
    };
  });
}
