/**
 * The replay's projection: counts events per type, one read-model document per type,
 * through zerotouch's ProjectionRunner and ReadModelStore (a rebuild: replay the whole
 * log into a fresh generation, then swap it in).
 */
import { performance } from 'node:perf_hooks';
import type { EventStore, JsonObject } from '../../src/application/ports/event-store';
import type { ReadModelStore } from '../../src/application/ports/read-model-store';
import { put, type Projection } from '../../src/application/projections/projection';
import { ProjectionRunner } from '../../src/application/projections/runner';
import { EVENT_TYPES } from './shared';

interface CountDoc extends JsonObject {
  type: string;
  count: number;
}

export function countsProjection(name: string): Projection {
  return {
    name,
    version: 1,
    eventTypes: EVENT_TYPES,
    async apply(event, view) {
      const doc = await view.get<CountDoc>('counts', event.type);
      return [put('counts', event.type, { type: event.type, count: (doc?.count ?? 0) + 1 })];
    },
  };
}

/** Rebuild the projection `name` from the whole log; answers the time taken and the counts it stored. */
export async function replayIntoProjection(
  store: EventStore,
  readModels: ReadModelStore,
  name: string,
  progress: (text: string) => void,
): Promise<{ ms: number; counts: Record<string, number> }> {
  const runner = new ProjectionRunner(store, readModels, [countsProjection(name)], { autoRebuild: false });
  let lastSaid = performance.now();
  const started = performance.now();
  await runner.rebuild(name, (position, head) => {
    const now = performance.now();
    if (now - lastSaid < 2000) return;
    lastSaid = now;
    progress(`replay: position ${position.toLocaleString('en-US')} of ${head.toLocaleString('en-US')} in ${((now - started) / 1000).toFixed(1)} s`);
  });
  const ms = performance.now() - started;
  const counts: Record<string, number> = {};
  for (const { doc } of await readModels.list<CountDoc>(name, 'counts', { limit: 100 })) counts[doc.type] = doc.count;
  return { ms, counts };
}
