/**
 * Read-your-writes, one way in every part: after a handler appended, it waits until the
 * read models it names include its own write (the global position the append returned), so
 * the caller's next read, on this node or any other, sees it. It answers anyway after a
 * while: read models may trail, and the write itself is durable.
 */
import type { ProjectionWaiter } from './ports/projection-waiter';

/** How long a handler waits for its own write to reach a read model before it answers anyway. */
export const OWN_WRITE_TIMEOUT_MS = 5_000;

export const awaitOwnWrite = async (
  deps: { readonly projections: ProjectionWaiter },
  names: string | readonly string[],
  position: number | undefined,
): Promise<void> => {
  if (position === undefined) return;
  const waits = (typeof names === 'string' ? [names] : names).map((name) => deps.projections.caughtUp({ name, position, timeoutMs: OWN_WRITE_TIMEOUT_MS }));
  await Promise.all(waits).catch(() => undefined);
};
