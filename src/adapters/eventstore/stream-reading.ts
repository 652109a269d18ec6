/** Pieces of append and read logic that every adapter shares. */
import {
  InvalidEventError,
  type AppendResult,
  type NewEvent,
  type ReadStreamOptions,
  type ReadStreamResult,
  type RecordedEvent,
} from '../../application/ports/event-store';

export interface StoredId {
  readonly id: string;
  readonly globalPosition: number;
}

/**
 * The idempotency rule: when every event id of an append is already in the stream, the
 * append succeeds and writes nothing; when only some are, it is refused (a client that
 * re-sends a changed batch under old ids has a bug we must not hide).
 */
export function idempotencyOutcome(
  streamName: string,
  events: readonly NewEvent[],
  existing: readonly StoredId[],
  currentVersion: number,
): AppendResult | undefined {
  if (existing.length === 0) return undefined;
  if (existing.length < events.length) {
    throw new InvalidEventError(
      `stream ${streamName}: ${existing.length} of ${events.length} event ids were appended before; re-send the whole original append or use new ids`,
    );
  }
  return {
    nextExpectedVersion: currentVersion,
    lastGlobalPosition: Math.max(...existing.map((e) => e.globalPosition)),
  };
}

/** For stores that hold a stream's events in memory. */
export function idempotentResult(stream: readonly RecordedEvent[], events: readonly NewEvent[]): AppendResult | undefined {
  if (stream.length === 0) return undefined;
  const ids = new Set(events.map((e) => e.id));
  const existing = stream.filter((e) => ids.has(e.id));
  const current = stream[stream.length - 1]!.streamVersion;
  return idempotencyOutcome(stream[0]!.streamName, events, existing, current);
}

/** readStream from version `from` over an in-memory, version-ordered array of a stream's events. */
export function sliceStream(stream: readonly RecordedEvent[], from: number): ReadStreamResult {
  const currentVersion = stream.length === 0 ? 0 : stream[stream.length - 1]!.streamVersion;
  return { currentVersion, streamExists: currentVersion > 0, events: stream.filter((e) => e.streamVersion >= from) };
}

/** The first version readStream reads, checked (default 1). */
export function streamFrom(options: ReadStreamOptions): number {
  if (options.from !== undefined && (!Number.isSafeInteger(options.from) || options.from < 0)) {
    throw new InvalidEventError(`from must be a stream version >= 0, got ${String(options.from)}`);
  }
  return options.from ?? 1;
}
