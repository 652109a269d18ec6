/**
 * The storage of a PostgreSQL database (loaded only when ZT_STORE is postgres://…):
 * events, read models and checkpoints, the presence and throttle tables, the set-up record
 * and the leases, all in one schema that any number of app processes share.
 */
import { PostgresPresenceStore } from '../devices/presence-store-postgres';
import { PostgresEventStore } from '../eventstore/postgres';
import { PostgresLeases } from '../eventstore/postgres-leases';
import { PostgresSetupRecord, PostgresThrottleStore } from '../eventstore/postgres-tables';
import { PostgresReadModelStore } from '../readmodels/postgres';
import type { Storage } from './storage';

export async function openPostgresStorage(url: string, description: string): Promise<Storage> {
  const events = await PostgresEventStore.open(url);
  try {
    const readModels = await PostgresReadModelStore.open(events.pool);
    const [presence, throttle, setup] = await Promise.all([
      PostgresPresenceStore.open(events.pool, events.schema),
      PostgresThrottleStore.open(events.pool, events.schema),
      PostgresSetupRecord.open(events.pool, events.schema),
    ]);
    const leases = new PostgresLeases(url, { schema: events.schema });
    return {
      events,
      readModels,
      presence,
      throttle,
      setup,
      leases,
      description: `postgres ${description}`,
      close: async () => {
        await leases.close();
        await readModels.close();
        await events.close();
      },
    };
  } catch (error) {
    await events.close().catch(() => undefined);
    throw error;
  }
}
