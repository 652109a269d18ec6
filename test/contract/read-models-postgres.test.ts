import { PostgresEventStore } from '../../src/adapters/eventstore/postgres';
import { PostgresReadModelStore } from '../../src/adapters/readmodels/postgres';
import { createTestDatabase } from '../support/postgres';
import { readModelStoreContract } from './read-model-store.contract';

readModelStoreContract('postgres', async () => {
  const db = await createTestDatabase();
  return {
    // each open() is a separate pool, as another app process would have; read models share the events' pool
    open: async () => {
      const events = await PostgresEventStore.open(db.url, { poolSize: 4, pollIntervalMs: 250 });
      const readModels = await PostgresReadModelStore.open(events.pool);
      return { events, readModels, close: () => events.close() };
    },
    dispose: async () => db.drop(),
  };
});
