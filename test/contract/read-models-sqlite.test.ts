import { join } from 'node:path';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite';
import { SqliteReadModelStore } from '../../src/adapters/readmodels/sqlite';
import { tempDir } from '../support/temp-dir';
import { readModelStoreContract } from './read-model-store.contract';

readModelStoreContract('sqlite', async () => {
  const dir = tempDir('zt-sqlite-rm-');
  const file = join(dir.path, 'zerotouch.db');
  return {
    open: async () => {
      const events = SqliteEventStore.open(file);
      const readModels = new SqliteReadModelStore(events.db);
      return { events, readModels, close: () => events.close() };
    },
    dispose: async () => dir.remove(),
  };
});
