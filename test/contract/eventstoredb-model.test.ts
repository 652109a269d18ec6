/**
 * The event store contract against the EventStoreDB adapter on an in-process model of the
 * server (test/support/esdb-model.ts). It runs where no server is at hand and catches
 * mistakes in the adapter's own logic; it proves nothing about the server, which only
 * eventstoredb.test.ts checks.
 */
import { EventStoreDbEventStore } from '../../src/adapters/eventstore/eventstoredb';
import { EsdbModel } from '../support/esdb-model';
import { eventStoreContract } from './event-store.contract';

eventStoreContract('eventstoredb (model of the server)', async () => {
  const model = new EsdbModel({ statsEvery: 50 });
  return {
    open: async () => new EventStoreDbEventStore(model.client(), { pollIntervalMs: 50 }, true),
    dispose: async () => undefined,
    chained: false,
  };
});
