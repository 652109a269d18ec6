/**
 * Read-your-writes, one way in every part: after a handler appended, it waits until the
 * read models it names include its own write (the global position the append returned), so
 * the caller's next read, on this node or any other, sees it. It answers anyway after a
 * while: read models may trail, and the write itself is durable.
 */
import type { ProjectionWaiter } from './ports/projection-waiter';

/** How long a handler waits for its own write to reach a read model before it answers anyway. */
export const OWN_WRITE_TIMEOUT_MS = 5_000;

/**
 * A handler's write: the global position of its last event (undefined: it wrote nothing),
 * or what the command handler answered, whose events also tell their types (a projection
 * that reads none of them is not waited for; see WrittenTypes).
 */
export type OwnWrite = number | undefined | { readonly position: number | undefined; readonly events: readonly { readonly type: string }[] };

export const awaitOwnWrite = async (deps: { readonly projections: ProjectionWaiter }, names: string | readonly string[], written: OwnWrite): Promise<void> => {
  const position = typeof written === 'object' ? written.position : written;
  if (position === undefined) return;
  const last = typeof written === 'object' ? written.events.at(-1)?.type : undefined;
  const types = last === undefined || typeof written !== 'object' ? undefined : { last, all: [...new Set(written.events.map((e) => e.type))] };
  const waits = (typeof names === 'string' ? [names] : names).map((name) =>
    deps.projections.caughtUp({ name, position, timeoutMs: OWN_WRITE_TIMEOUT_MS, ...(types !== undefined && { written: types }) }),
  );
  await Promise.all(waits).catch(() => undefined);
};
