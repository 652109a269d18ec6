import { MemoryEventStore } from '../../src/adapters/eventstore/memory';
import { eventStoreContract } from './event-store.contract';

eventStoreContract('memory', async () => {
  // every open() of one harness shares the same storage, as instances on one database would
  const shared = new MemoryEventStore();
  const view = (): MemoryEventStore =>
    new Proxy(shared, {
      get(target, prop, receiver) {
        // closing one view must not close the shared storage for the others
        if (prop === 'close') return async () => undefined;
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return { open: async () => view(), dispose: () => shared.close() };
});
