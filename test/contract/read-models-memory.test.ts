import { MemoryEventStore } from '../../src/adapters/eventstore/memory';
import { MemoryReadModelStore } from '../../src/adapters/readmodels/memory';
import { readModelStoreContract } from './read-model-store.contract';

readModelStoreContract('memory', async () => {
  // one storage shared by every open(), as processes on one database would share it
  const events = new MemoryEventStore();
  const readModels = new MemoryReadModelStore();
  return {
    open: async () => ({ events, readModels, close: async () => undefined }),
    dispose: () => events.close(),
  };
});
