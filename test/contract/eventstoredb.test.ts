/**
 * The event store contract against EventStoreDB: the server at ZT_TEST_ESDB_URL
 * (e.g. `esdb://127.0.0.1:2113?tls=false`), or else a throw-away container started with
 * testcontainers. Without either (no URL and no container runtime on this machine) the
 * suite is reported as skipped, with the reason in its name; it never passes without a
 * server.
 */
import { randomUUID } from 'node:crypto';
import { describe, it } from 'vitest';
import { GenericContainer, Wait, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { EventStoreDbEventStore } from '../../src/adapters/eventstore/eventstoredb';
import { eventStoreContract } from './event-store.contract';

/** the testcontainers image (an amd64 image; ZT_TEST_ESDB_IMAGE picks another tag or registry) */
const IMAGE = process.env['ZT_TEST_ESDB_IMAGE'] ?? 'eventstore/eventstore:24.10';

type Target = { readonly url: string; readonly container?: StartedTestContainer } | { readonly skip: string };

/** Decided once, at collection time: top-level await keeps the skip decision out of any hook. */
async function findServer(): Promise<Target> {
  const url = process.env['ZT_TEST_ESDB_URL'];
  if (url) return { url };
  try {
    await getContainerRuntimeClient(); // fails within about a second when there is no Docker or Podman
  } catch (error) {
    return { skip: `no container runtime for ${IMAGE}: ${(error as Error).message}` };
  }
  // a runtime is there, so a container that does not start is a real failure, not a skip
  const container = await new GenericContainer(IMAGE)
    .withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
      EVENTSTORE_MEM_DB: 'true',
    })
    .withExposedPorts(2113)
    .withWaitStrategy(Wait.forHttp('/health/live', 2113))
    .withStartupTimeout(180_000)
    .start();
  return { url: `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`, container };
}

/** The node answers /health/live before it accepts writes as leader: append until it does. */
async function waitUntilWritable(url: string): Promise<void> {
  const store = EventStoreDbEventStore.connect(url, { liveNotifications: false });
  const deadline = Date.now() + 45_000;
  try {
    for (;;) {
      try {
        await store.appendToStream(`zt-contract-ready-${randomUUID()}`, [{ id: randomUUID(), type: 'Ready', data: {} }]);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`EventStoreDB at ${url} did not accept a write within 45 s`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  } finally {
    await store.close();
  }
}

const target = await findServer();

if ('skip' in target) {
  describe.skip(`event store contract: eventstoredb — skipped: no EventStoreDB (${target.skip}); set ZT_TEST_ESDB_URL to run it`, () => {
    it('runs the event store contract against EventStoreDB', () => {});
  });
} else {
  eventStoreContract(
    'eventstoredb',
    async () => {
      await waitUntilWritable(target.url);
      return {
        // each open() is its own client (its own gRPC channel), as another app process would have
        open: async () => EventStoreDbEventStore.connect(target.url),
        // the in-memory container disappears with its data; a server given by URL keeps the
        // contract's streams (unique names, so runs never meet)
        dispose: async () => {
          await target.container?.stop();
        },
      };
    },
    { timeoutMs: 240_000 },
  );
}
