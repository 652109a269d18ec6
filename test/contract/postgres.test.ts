import { PostgresEventStore } from '../../src/adapters/eventstore/postgres';
import { createTestDatabase } from '../support/postgres';
import { eventStoreContract } from './event-store.contract';

eventStoreContract('postgres', async () => {
  const db = await createTestDatabase();
  return {
    // each open() makes its own pool on the same database, as another app process would
    open: async () => PostgresEventStore.open(db.url, { poolSize: 4 }),
    dispose: async () => db.drop(),
  };
});
