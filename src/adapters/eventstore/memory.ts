/**
 * In-memory event store: for domain and handler tests, and `ZT_STORE=memory:`.
 * Appends are applied synchronously within one call, so the global order is the call order.
 */
import * as port from '../../application/ports/event-store';
import { checkPosition, clampLimit, expectedVersionMatches } from '../../application/ports/event-store-checks';
import { purgedEvent } from '../../application/ports/personal-part';
import { GENESIS_DIGEST, canonicalContent, contentDigestOf, linkDigest, sealPersonal } from '../../application/audit/chain-format';
import { EventStoreBase } from './store-base';
import { idempotentResult, sliceStream } from './stream-reading';

export interface MemoryEventStoreOptions {
  /** the store's clock for recordedAt; tests may pass a fixed one */
  readonly now?: () => Date;
}

interface Link {
  readonly digest: string;
  readonly contentDigest: string;
  readonly personalDigest: string | null;
  readonly personalSalt: string | null;
}

export class MemoryEventStore extends EventStoreBase implements port.EventStore {
  readonly kind = 'memory';
  /** appends wake subscriptions at once: the poll is only a fallback */
  protected readonly pollIntervalMs = 60_000;
  private readonly log: port.RecordedEvent[] = [];
  private readonly streams = new Map<string, port.RecordedEvent[]>();
  private position = 0;
  /** the chain columns of each stored event, and the tombstones of deleted ones, by position */
  private readonly links = new Map<number, Link>();
  private readonly tombstones = new Map<number, { digest: string; contentDigest: string }>();
  private head: port.ChainHead = { startPosition: 0, position: 0, digest: GENESIS_DIGEST };
  private readonly now: () => Date;

  constructor(options: MemoryEventStoreOptions = {}) {
    super();
    this.now = options.now ?? (() => new Date());
  }

  protected async appendEvents(streamName: string, events: readonly port.NewEvent[], expected: port.ExpectedVersion): Promise<port.AppendResult> {
    const stream = this.streams.get(streamName) ?? [];
    const repeated = idempotentResult(stream, events);
    if (repeated) return repeated;
    const current = stream.length === 0 ? 0 : stream[stream.length - 1]!.streamVersion;
    if (!expectedVersionMatches(expected, current)) {
      throw new port.WrongExpectedVersionError(streamName, expected, current);
    }
    const recordedAt = this.now().toISOString();
    // deep copy through JSON: what is stored is what any other adapter would give back
    const recorded = events.map((e, i): port.RecordedEvent => ({
      id: e.id,
      type: e.type,
      data: JSON.parse(JSON.stringify(e.data)),
      personal: JSON.parse(JSON.stringify(e.personal ?? {})),
      metadata: JSON.parse(JSON.stringify(e.metadata ?? {})),
      streamName,
      streamVersion: current + i + 1,
      globalPosition: ++this.position,
      recordedAt,
    }));
    let digest = this.head.digest;
    for (const event of recorded) {
      const personal = JSON.stringify(event.personal);
      const sealed = sealPersonal(personal);
      const contentDigest = contentDigestOf({
        position: event.globalPosition,
        streamName,
        streamVersion: event.streamVersion,
        id: event.id,
        type: event.type,
        recordedAt,
        data: JSON.stringify(event.data),
        metadata: JSON.stringify(event.metadata),
        personalDigest: sealed.digest,
      });
      digest = linkDigest(digest, contentDigest);
      this.links.set(event.globalPosition, { digest, contentDigest, personalDigest: sealed.digest, personalSalt: sealed.salt });
    }
    this.head = { ...this.head, position: this.position, digest };
    stream.push(...recorded);
    this.streams.set(streamName, stream);
    this.log.push(...recorded);
    this.notifyListeners(new Set(events.map((e) => e.type)));
    const last = recorded[recorded.length - 1]!;
    return { nextExpectedVersion: last.streamVersion, lastGlobalPosition: last.globalPosition };
  }

  protected async readStreamFrom(streamName: string, from: number): Promise<port.ReadStreamResult> {
    return sliceStream(this.streams.get(streamName) ?? [], from);
  }

  protected readPage(after: number, limit: number): port.RecordedEvent[] {
    const lo = this.indexOf(after + 1);
    return this.log.slice(lo, lo + limit);
  }

  async headPosition(): Promise<number> {
    return this.log.length === 0 ? 0 : this.log[this.log.length - 1]!.globalPosition;
  }

  protected async deleteEvents(streamName: string): Promise<void> {
    const stream = this.streams.get(streamName);
    if (!stream) return;
    this.streams.delete(streamName);
    const gone = new Set(stream.map((e) => e.globalPosition));
    for (const position of gone) {
      const link = this.links.get(position)!;
      this.tombstones.set(position, { digest: link.digest, contentDigest: link.contentDigest });
      this.links.delete(position);
    }
    for (let i = this.log.length - 1; i >= 0; i--) {
      if (gone.has(this.log[i]!.globalPosition)) this.log.splice(i, 1);
    }
  }

  protected async purgeEvents(streamName: string, options: port.PurgeOptions): Promise<void> {
    const stream = this.streams.get(streamName);
    if (!stream) return;
    const only = options.eventIds === undefined ? undefined : new Set(options.eventIds);
    stream.forEach((event, i) => {
      if (only && !only.has(event.id)) return;
      const purged = purgedEvent(event.type, event.data, event.personal, options.legacyPaths);
      if (!purged) return;
      // a new object in the stream and the log: what readers were handed before stays as it was
      const replacement: port.RecordedEvent = { ...event, ...purged };
      stream[i] = replacement;
      const link = this.links.get(event.globalPosition)!;
      this.links.set(event.globalPosition, { ...link, personalSalt: null });
      this.log[this.indexOf(event.globalPosition)] = replacement;
    });
  }

  async chainHead(): Promise<port.ChainHead> {
    this.assertOpen();
    return this.head;
  }

  async readChain(options: port.ReadAllOptions = {}): Promise<port.ReadChainResult> {
    this.assertOpen();
    const after = checkPosition(options.after, 'after');
    const limit = clampLimit(options.limit);
    const lo = this.indexOf(after + 1);
    const entries: port.ChainEntry[] = this.log.slice(lo, lo + limit).map((event) => {
      const link = this.links.get(event.globalPosition)!;
      return {
        position: event.globalPosition,
        digest: link.digest,
        contentDigest: link.contentDigest,
        content: {
          canonical: canonicalContent({
            position: event.globalPosition,
            streamName: event.streamName,
            streamVersion: event.streamVersion,
            id: event.id,
            type: event.type,
            recordedAt: event.recordedAt,
            data: JSON.stringify(event.data),
            metadata: JSON.stringify(event.metadata),
            personalDigest: link.personalDigest,
          }),
          personal: JSON.stringify(event.personal),
          personalDigest: link.personalDigest,
          personalSalt: link.personalSalt,
        },
      };
    });
    const upTo = entries.length === limit ? entries[entries.length - 1]!.position : Number.MAX_SAFE_INTEGER;
    for (const [position, t] of this.tombstones) {
      if (position > after && position <= upTo) entries.push({ position, digest: t.digest, contentDigest: t.contentDigest });
    }
    entries.sort((a, b) => a.position - b.position);
    entries.length = Math.min(entries.length, limit);
    return { entries, position: entries.length > 0 ? entries[entries.length - 1]!.position : after };
  }

  async eraseDeleted(): Promise<void> {
    this.assertOpen(); // nothing is kept once dropped
  }

  /** the index of the event at a position in the log (binary search: the log is sorted by position) */
  private indexOf(position: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid]!.globalPosition < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async ping(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.releaseListeners();
  }
}
