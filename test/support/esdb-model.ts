/**
 * An in-process model of the EventStoreDB server behaviour the adapter relies on, for
 * tests on machines without a server. It is not a server and proves nothing about one:
 * it follows the server's published code paths as read for the adapter (commit check of
 * appends with its id de-duplication, soft delete as `$tb` = long.MaxValue in `$$<stream>`,
 * revisions that continue after a re-creation whose new `$tb` lands a moment after the
 * events, `$all` keeping deleted events, inclusive forward and exclusive backward reads of
 * `$all` at byte positions, system events in `$all`). Only the client methods the adapter
 * calls exist. The real behaviour is checked by test/contract/eventstoredb.test.ts against
 * a server.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type EventData,
  type EventStoreDBClient,
  type Position,
} from '@eventstore/db-client';

const DELETED_TB = '9223372036854775807'; // long.MaxValue, as the server writes it

interface LogRecord {
  readonly position: bigint;
  readonly streamId: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  /** JSON text, as stored */
  readonly data: string;
  readonly metadata: string | undefined;
  readonly created: Date;
}

type Decision =
  | { readonly kind: 'ok'; readonly current: bigint; readonly softDeleted: boolean }
  | { readonly kind: 'idempotent'; readonly end: bigint }
  | { readonly kind: 'wrong'; readonly current: bigint }
  | { readonly kind: 'deleted' };

export interface ModelOptions {
  /** write a `$stats` system event after every n appends (0: never) */
  readonly statsEvery?: number;
  /** delay of the `$tb` record a re-creation writes after its events */
  readonly undeleteDelayMs?: number;
}

export class EsdbModel {
  readonly log: LogRecord[] = [];
  private readonly last = new Map<string, bigint>();
  private readonly committed = new Map<string, { stream: string; revision: bigint }>();
  private nextPosition = 1024n;
  private appends = 0;
  private readonly bus = new EventEmitter();
  /** set to make every call fail as an unreachable server does */
  down = false;

  constructor(private readonly options: ModelOptions = {}) {
    this.bus.setMaxListeners(0);
  }

  client(): EventStoreDBClient {
    return new ModelClient(this) as unknown as EventStoreDBClient;
  }

  lastRevision(stream: string): bigint {
    return this.last.get(stream) ?? -1n;
  }

  /** the newest metadata of a stream, parsed (long.MaxValue rounds to 2^63 as in any JSON.parse) */
  metadataOf(stream: string): Record<string, unknown> | undefined {
    const meta = this.newest(`$$${stream}`);
    return meta ? (JSON.parse(meta.data) as Record<string, unknown>) : undefined;
  }

  private newest(stream: string): LogRecord | undefined {
    const revision = this.lastRevision(stream);
    if (revision < 0n) return undefined;
    return this.log.find((r) => r.streamId === stream && r.revision === revision);
  }

  private truncateBefore(stream: string): number | undefined {
    const tb = this.metadataOf(stream)?.['$tb'];
    return typeof tb === 'number' ? tb : undefined;
  }

  isSoftDeleted(stream: string): boolean {
    return (this.truncateBefore(stream) ?? 0) >= 2 ** 63;
  }

  private write(streamId: string, type: string, data: string, metadata: string | undefined, id: string): LogRecord {
    const revision = this.lastRevision(streamId) + 1n;
    const record: LogRecord = { position: this.nextPosition, streamId, revision, id, type, data, metadata, created: new Date() };
    // records take their size in the log: positions are byte offsets with holes
    this.nextPosition += BigInt(64 + streamId.length + type.length + data.length + (metadata?.length ?? 0));
    this.log.push(record);
    this.last.set(streamId, revision);
    if (!streamId.startsWith('$')) this.committed.set(id, { stream: streamId, revision });
    return record;
  }

  /** IndexWriter.CheckCommit, as far as the adapter meets it */
  private check(stream: string, expected: AppendExpectedRevision, ids: readonly string[]): Decision {
    const cur = this.lastRevision(stream);
    const softDeleted = this.isSoftDeleted(stream);
    if (expected === STREAM_EXISTS) {
      if (softDeleted) return { kind: 'deleted' };
      if (cur < 0n && this.lastRevision(`$$${stream}`) < 0n) return { kind: 'wrong', current: cur };
    }
    if (expected === ANY || expected === STREAM_EXISTS) {
      let first = true;
      let end = -1n;
      for (const id of ids) {
        const info = this.committed.get(id);
        if (!info || info.stream !== stream) {
          return first ? { kind: 'ok', current: cur, softDeleted } : { kind: 'wrong', current: cur };
        }
        end = info.revision;
        first = false;
      }
      return { kind: 'idempotent', end };
    }
    const exp = expected === NO_STREAM ? -1n : expected;
    if (exp < cur) {
      let number = exp;
      for (const id of ids) {
        number += 1n;
        const stored = this.log.find((r) => r.streamId === stream && r.revision === number);
        if (stored?.id === id) continue;
        if (number !== exp + 1n) return { kind: 'wrong', current: cur };
        if (exp === -1n && softDeleted) return { kind: 'ok', current: cur, softDeleted: true };
        return { kind: 'wrong', current: cur };
      }
      return { kind: 'idempotent', end: number };
    }
    if (exp > cur) return { kind: 'wrong', current: cur };
    return { kind: 'ok', current: cur, softDeleted };
  }

  append(stream: string, events: readonly EventData[], expected: AppendExpectedRevision): { nextExpectedRevision: bigint; position: Position } {
    const decision = this.check(stream, expected, events.map((e) => e.id));
    switch (decision.kind) {
      case 'deleted':
        throw StreamDeletedError.fromStreamName(stream);
      case 'wrong':
        throw new WrongExpectedVersionError(undefined, {
          streamName: stream,
          expected,
          current: decision.current < 0n ? NO_STREAM : decision.current,
        });
      case 'idempotent': {
        const record = this.log.find((r) => r.streamId === stream && r.revision === decision.end)!;
        return { nextExpectedRevision: decision.end, position: { commit: record.position, prepare: record.position } };
      }
      case 'ok':
        break;
    }
    let record: LogRecord | undefined;
    for (const e of events) {
      record = this.write(stream, e.type, JSON.stringify(e.data), e.metadata ? JSON.stringify(e.metadata) : undefined, e.id);
    }
    if (decision.softDeleted) {
      // SoftUndeleteStream: the new $tb is written after the events; the reply can come first
      const meta = { ...(this.metadataOf(stream) ?? {}), $tb: Number(decision.current + 1n) };
      const write = () => this.write(`$$${stream}`, '$metadata', JSON.stringify(meta), undefined, randomUUID());
      if (this.options.undeleteDelayMs) setTimeout(write, this.options.undeleteDelayMs);
      else write();
    }
    this.appends++;
    if (this.options.statsEvery && this.appends % this.options.statsEvery === 0) {
      this.write('$stats-127.0.0.1:2113', '$statsCollected', '{"proc-cpu":1}', undefined, randomUUID());
    }
    this.bus.emit('written');
    return { nextExpectedRevision: record!.revision, position: { commit: record!.position, prepare: record!.position } };
  }

  softDelete(stream: string, expected: AppendExpectedRevision = ANY): { position: Position } {
    if (expected !== ANY) {
      const decision = this.check(stream, expected, [randomUUID()]);
      if (decision.kind === 'wrong') {
        throw new WrongExpectedVersionError(undefined, { streamName: stream, expected, current: decision.current < 0n ? NO_STREAM : decision.current });
      }
    }
    const record = this.write(`$$${stream}`, '$metadata', `{"$tb":${DELETED_TB}}`, undefined, randomUUID());
    return { position: { commit: record.position, prepare: record.position } };
  }

  /**
   * A scavenge as the server runs it, as far as the adapter relies on it: the events of
   * soft-deleted streams leave the log, except each such stream's last event.
   */
  scavenge(): void {
    const kept = this.log.filter((r) => r.streamId.startsWith('$') || !this.isSoftDeleted(r.streamId) || r.revision === this.lastRevision(r.streamId));
    this.log.splice(0, this.log.length, ...kept);
  }

  /** the stream's readable events, as the index reader applies `$tb` */
  streamEvents(stream: string): LogRecord[] {
    const cur = this.lastRevision(stream);
    if (cur < 0n || this.isSoftDeleted(stream)) throw new StreamNotFoundError(undefined, stream);
    const tb = stream.startsWith('$$') ? 0 : (this.truncateBefore(stream) ?? 0);
    return this.log.filter((r) => r.streamId === stream && Number(r.revision) >= tb);
  }

  isBoundary(position: bigint): boolean {
    return position >= this.nextPosition || this.log.some((r) => r.position === position);
  }

  onWritten(listener: () => void): () => void {
    this.bus.on('written', listener);
    return () => this.bus.off('written', listener);
  }
}

function resolved(record: LogRecord) {
  const position = { commit: record.position, prepare: record.position };
  return {
    event: {
      streamId: record.streamId,
      id: record.id,
      revision: record.revision,
      type: record.type,
      created: record.created,
      isJson: true,
      data: JSON.parse(record.data) as unknown,
      metadata: record.metadata === undefined ? undefined : (JSON.parse(record.metadata) as unknown),
      position,
    },
    commitPosition: record.position,
  };
}

/** a read as the client returns it: async iterable, with cancel() */
function lazily<T>(produce: () => T[]): AsyncGenerator<T> & { cancel(): Promise<void> } {
  async function* items(): AsyncGenerator<T> {
    await Promise.resolve();
    for (const item of produce()) yield item;
  }
  return Object.assign(items(), { cancel: async () => undefined });
}

class ModelClient {
  private disposed = false;

  constructor(private readonly model: EsdbModel) {}

  private reachable(): void {
    if (this.model.down || this.disposed) throw new UnavailableError(undefined, '14 UNAVAILABLE: No connection established');
  }

  async appendToStream(stream: string, events: EventData | EventData[], options: { expectedRevision?: AppendExpectedRevision } = {}) {
    await Promise.resolve();
    this.reachable();
    const result = this.model.append(stream, Array.isArray(events) ? events : [events], options.expectedRevision ?? ANY);
    return { success: true, ...result };
  }

  readStream(stream: string, options: { fromRevision?: 'start' | 'end' | bigint; direction?: 'forwards' | 'backwards'; maxCount?: number | bigint } = {}) {
    return lazily(() => {
      this.reachable();
      const backwards = options.direction === 'backwards';
      const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      const from = options.fromRevision ?? (backwards ? 'end' : 'start');
      let events = this.model.streamEvents(stream);
      if (backwards) {
        events = events.filter((r) => from === 'end' || from === 'start' || r.revision <= from).reverse();
      } else {
        events = events.filter((r) => from === 'start' || from === 'end' || r.revision >= from);
        if (from === 'end') events = [];
      }
      return events.slice(0, max).map(resolved);
    });
  }

  readAll(options: { fromPosition?: 'start' | 'end' | Position; direction?: 'forwards' | 'backwards'; maxCount?: number | bigint } = {}) {
    return lazily(() => {
      this.reachable();
      const backwards = options.direction === 'backwards';
      const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
      const from = options.fromPosition ?? (backwards ? 'end' : 'start');
      if (typeof from === 'object' && !this.model.isBoundary(from.commit)) {
        throw new Error(`Log record at actual pos ${from.commit} has non-positive length (a read inside a record)`);
      }
      let records: LogRecord[];
      if (backwards) {
        records = this.model.log.filter((r) => from === 'end' || (typeof from === 'object' && r.position < from.commit)).reverse();
      } else {
        records = from === 'end' ? [] : this.model.log.filter((r) => from === 'start' || r.position >= from.commit);
      }
      return records.slice(0, max).map(resolved);
    });
  }

  async deleteStream(stream: string, options: { expectedRevision?: AppendExpectedRevision } = {}) {
    await Promise.resolve();
    this.reachable();
    return this.model.softDelete(stream, options.expectedRevision ?? ANY);
  }

  subscribeToAll() {
    this.reachable();
    const subscription = Object.assign(new EventEmitter(), {
      unsubscribe: async () => {
        stop();
        subscription.emit('close');
      },
    });
    const stop = this.model.onWritten(() => subscription.emit('data', {}));
    setImmediate(() => subscription.emit('confirmation'));
    return subscription;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }
}
