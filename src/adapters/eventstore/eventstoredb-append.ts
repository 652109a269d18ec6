/**
 * Appends and deletes of the EventStoreDB adapter.
 *
 * Numbering. Stream version = EventStoreDB revision + 1; expected version n is sent as
 * revision n-1, 0 and `no-stream` as `no_stream`; a WrongExpectedVersionError carries the
 * actual version in port numbers. A soft-deleted stream reads as missing (version 0) and
 * accepts `no-stream` again, but EventStoreDB continues its revisions after a soft delete:
 * a stream of 2 events is deleted after an empty marker event (version 3, see
 * softDelete), and its re-created first event gets version 4, not 1. Every operation of
 * the adapter uses that same numbering (readStream's currentVersion and versions,
 * appends' nextExpectedVersion, expected versions), so a caller that passes back what it
 * read stays consistent; only "the first event is version 1" does not hold for a
 * re-created stream. Renumbering would cost a metadata read on every stream read and
 * append, and would race with concurrent deletes.
 *
 * Idempotency as the port asks it (NewEvent): a re-sent append is recognised while at
 * most 32 events were appended after it. EventStoreDB de-duplicates re-sent event ids
 * reliably only against an exact expected revision, so each append first reads the
 * stream's newest `idempotencyWindow` (default 32) + n events: ids found there decide as
 * in idempotencyOutcome. An older re-send is planned like any append: a wrong expected
 * version is a conflict; `any` goes out as such, and when the server's own
 * (best-effort) de-duplication recognises the ids, the adapter answers as for a repeat;
 * at the current version it is written again (the port leaves that open).
 *
 * After an append, the adapter reads the last appended event back for its position (the
 * position an append reports is not documented per event). When an append re-creates a
 * soft-deleted stream, the server writes the new `$tb` just after the events; the adapter
 * waits (up to `recreateWaitMs`) until the stream reads again, so this instance reads its
 * own write. The server's id check ignores deletes: an append that reused ids of a deleted
 * stream's events would be answered as a repeat and write nothing. The port rules such
 * ids out (see NewEvent); should it happen, the stream never reads again and the append
 * fails after that wait, saying why, instead of reporting a write that did not happen.
 */
import { randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  StreamDeletedError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  type AppendExpectedRevision,
  type EventData,
  type EventStoreDBClient,
} from '@eventstore/db-client';
import { WrongExpectedVersionError, type AppendResult, type ExpectedVersion, type NewEvent, type RecordedEvent } from '../../application/ports/event-store';
import { deletionMarker, esdbEventId, planAppend, revisionFromVersion, toEventData, versionFromRevision } from './eventstoredb-mapping';
import { sealPersonal, type PersonalKeys, type ZtJsonEvent } from './eventstoredb-personal';
import { readRange, scanTail, type EsdbReader, type Scan } from './eventstoredb-read';

type Data = EventData<ZtJsonEvent>[];

/** why an append to a stream that read as missing may not read back */
const RECREATED =
  '; if the stream had been deleted, the append reuses ids of its deleted events, which the port does not allow: EventStoreDB took it for a repeat (its id check ignores deletes) and wrote nothing';

export interface WriterOptions {
  readonly idempotencyWindow: number;
  readonly recreateWaitMs: number;
  /** called after every append that wrote */
  readonly appended: () => void;
}

export class EsdbWriter {
  constructor(
    private readonly client: EventStoreDBClient,
    private readonly reader: EsdbReader,
    private readonly keys: PersonalKeys,
    private readonly options: WriterOptions,
  ) {}

  async append(streamName: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    const data = await this.eventData(events);
    const scan = await this.scan(streamName, events);
    const plan = planAppend(streamName, events, expected, scan);
    switch (plan.kind) {
      case 'repeat':
        return plan.result;
      case 'conflict':
        throw new WrongExpectedVersionError(streamName, expected, scan.current);
      case 'write':
        return this.write(streamName, events, data, expected, plan.expectedRevision, scan);
    }
  }

  /**
   * Soft delete, after an empty marker event: EventStoreDB keeps a deleted stream's last
   * event through scavenges, so that event must hold no personal data. Marker and delete
   * both name the revision they expect, so no concurrent append can slip in as the last
   * event; on a conflict the adapter looks again (a few times, then deletes regardless).
   */
  async softDelete(streamName: string): Promise<void> {
    try {
      for (let attempt = 0; ; attempt++) {
        const tail = await scanTail(this.client, streamName, new Set(), 1);
        if (!tail.exists) return; // missing or deleted already: nothing to do, and no metadata left behind
        try {
          if (attempt >= 5) {
            await this.client.deleteStream(streamName, { expectedRevision: ANY });
            return;
          }
          const marker = await this.client.appendToStream(streamName, deletionMarker(randomUUID()), {
            expectedRevision: revisionFromVersion(tail.current),
          });
          await this.client.deleteStream(streamName, { expectedRevision: marker.nextExpectedRevision }); // $tb = long.MaxValue
          return;
        } catch (error) {
          if (error instanceof StreamDeletedError) return;
          if (!(error instanceof EsdbWrongExpectedVersionError)) throw error;
        }
      }
    } finally {
      this.reader.forgetTruncation(streamName);
    }
  }

  /** the events as EventStoreDB data, each personal part sealed under its own key (written first) */
  private eventData(events: readonly NewEvent[]): Promise<Data> {
    return Promise.all(
      events.map(async (event) => {
        if (event.personal === undefined || Object.keys(event.personal).length === 0) return toEventData(event);
        const id = esdbEventId(event.id);
        const key = await this.keys.keyFor(id, true);
        return toEventData(event, sealPersonal(event.personal, key!, id));
      }),
    );
  }

  /** the stream's version, and which of the append's ids are among its newest `idempotencyWindow` + n events */
  private scan(streamName: string, events: readonly NewEvent[]): Promise<Scan> {
    return scanTail(this.client, streamName, new Set(events.map((e) => e.id)), this.options.idempotencyWindow + events.length);
  }

  private async write(
    streamName: string,
    events: readonly NewEvent[],
    data: Data,
    expected: ExpectedVersion,
    expectedRevision: AppendExpectedRevision,
    scan: Scan,
  ): Promise<AppendResult> {
    let nextRevision: bigint;
    try {
      nextRevision = (await this.client.appendToStream(streamName, data, { expectedRevision })).nextExpectedRevision;
    } catch (error) {
      if (error instanceof EsdbWrongExpectedVersionError || error instanceof StreamDeletedError) {
        return this.afterRefusal(streamName, events, expected);
      }
      throw error;
    }
    let last: RecordedEvent;
    if (scan.exists) {
      last = await this.readBack(streamName, nextRevision, 1000);
    } else {
      // a new stream reads at once, a re-created one once the server has written its new `$tb`
      this.reader.forgetTruncation(streamName);
      last = await this.readBack(streamName, nextRevision, this.options.recreateWaitMs, RECREATED);
    }
    if (scan.exists && versionFromRevision(nextRevision) < scan.current + events.length) {
      // `any`: the server recognised the ids of an earlier append (beyond our window) and wrote nothing
      return { nextExpectedVersion: scan.current, lastGlobalPosition: last.globalPosition };
    }
    this.options.appended();
    return { nextExpectedVersion: versionFromRevision(nextRevision), lastGlobalPosition: last.globalPosition };
  }

  /**
   * EventStoreDB refused an append we planned as valid: a concurrent writer got there
   * first. Look again and answer as the other adapters would have: the same ids are there
   * (a concurrent identical append) → success; some of them → InvalidEventError; none →
   * WrongExpectedVersionError with the version now.
   */
  private async afterRefusal(streamName: string, events: readonly NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    const scan = await this.scan(streamName, events);
    const plan = planAppend(streamName, events, expected, scan);
    if (plan.kind === 'repeat') return plan.result;
    throw new WrongExpectedVersionError(streamName, expected, scan.current);
  }

  /** The event at `revision`, waiting up to `waitMs` for it to become readable. */
  private async readBack(streamName: string, revision: bigint, waitMs: number, hint = ''): Promise<RecordedEvent> {
    const deadline = Date.now() + waitMs;
    let pause = 5;
    for (;;) {
      const event = (await readRange(this.client, streamName, revision, BACKWARDS, 1))?.[0];
      if (event && event.streamVersion === versionFromRevision(revision)) return event;
      if (Date.now() >= deadline) {
        throw new Error(`stream ${streamName}: the event just appended at revision ${revision} could not be read back within ${waitMs} ms${hint}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, 100);
    }
  }
}
