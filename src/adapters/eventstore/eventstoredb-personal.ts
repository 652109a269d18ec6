/**
 * Personal parts on EventStoreDB: crypto-shredding. EventStoreDB events are immutable, so
 * an event's personal part travels inside it encrypted (AES-256-GCM, the event's id as
 * additional data) under a key of its own, and the key lives in a stream of its own
 * (`zt.key-<event uuid>`, one event), written before the event. Reads open the part with
 * the key (keys cached per instance); a purge deletes the key stream (after a marker, as
 * deleteStream does: a deleted stream's last event survives scavenges). Once a scavenge
 * has run, the personal values cannot be read by anyone, and the event reads with the
 * same paths, each null. A key without an event (an append that failed after its key was
 * written) reveals nothing.
 *
 * The sealing functions are pure and unit-tested (test/adapters/eventstoredb-personal.test.ts);
 * PersonalKeys is the one part that talks to the server.
 */
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import {
  FORWARDS,
  NO_STREAM,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  jsonEvent,
  type EventData,
  type EventStoreDBClient,
  type JSONEventType,
} from '@eventstore/db-client';
import type { EventMetadata, JsonObject, PersonalPart, RecordedEvent } from '../../application/ports/event-store';
import { nulled } from '../../application/ports/personal-part';

/** An event as this adapter writes it: JSON data and JSON metadata. */
export type ZtJsonEvent = JSONEventType<string, JsonObject, JsonObject>;

/** the metadata key holding an event's sealed personal part */
export const PERSONAL_KEY = 'zt.personal';
export const KEY_STREAM_PREFIX = 'zt.key-';
export const KEY_EVENT_TYPE = 'zt.PersonalKey';

/** personal-part keys remembered per instance (null: the key was deleted, the part purged) */
const KEY_CACHE_ENTRIES = 10_000;
/** events opened at once */
const OPEN_CONCURRENCY = 16;

/** the stream holding the key of the personal part of the event with this EventStoreDB id */
export const keyStreamOf = (esdbId: string): string => `${KEY_STREAM_PREFIX}${esdbId}`;

/** the encrypted personal part, as it sits in the event's metadata */
export interface SealedPersonal {
  readonly paths: string[];
  readonly iv: string;
  readonly tag: string;
  readonly sealed: string;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

export const newPersonalKey = (): Buffer => randomBytes(32);

export function keyEvent(id: string, key: Buffer): EventData<ZtJsonEvent> {
  return jsonEvent<ZtJsonEvent>({ id, type: KEY_EVENT_TYPE, data: { key: key.toString('base64') }, metadata: {} });
}

/** the key a key event holds */
export function keyOf(data: unknown): Buffer | undefined {
  const key = isJsonObject(data) ? data['key'] : undefined;
  if (typeof key !== 'string') return undefined;
  const bytes = Buffer.from(key, 'base64');
  return bytes.length === 32 ? bytes : undefined;
}

export function sealPersonal(personal: PersonalPart, key: Buffer, esdbId: string): SealedPersonal {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(esdbId));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(personal), 'utf8'), cipher.final()]);
  return { paths: Object.keys(personal), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), sealed: sealed.toString('base64') };
}

/** The personal part of a sealed one: its values with the key, every path null without it (purged). */
export function openPersonal(sealed: SealedPersonal, key: Buffer | undefined, esdbId: string): PersonalPart {
  const paths = Object.fromEntries(sealed.paths.map((p) => [p, null]));
  if (key === undefined) return nulled(paths);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
  decipher.setAAD(Buffer.from(esdbId));
  decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
  const plain = Buffer.concat([decipher.update(Buffer.from(sealed.sealed, 'base64')), decipher.final()]).toString('utf8');
  return JSON.parse(plain) as PersonalPart;
}

/** the sealed personal part in an event's metadata, if it has one */
export function sealedOf(metadata: EventMetadata): SealedPersonal | undefined {
  const value = metadata[PERSONAL_KEY];
  if (!isJsonObject(value)) return undefined;
  const { paths, iv, tag, sealed } = value;
  if (!Array.isArray(paths) || typeof iv !== 'string' || typeof tag !== 'string' || typeof sealed !== 'string') return undefined;
  return { paths: paths.map(String), iv, tag, sealed };
}

/** the event without the sealed part in its metadata, with its personal part given */
export function withOpenedPersonal(event: RecordedEvent, personal: PersonalPart): RecordedEvent {
  const { [PERSONAL_KEY]: _, ...metadata } = event.metadata;
  return { ...event, metadata: metadata as EventMetadata, personal };
}

/** The keys of personal parts: made and stored on append, read (and cached) to open, forgotten on purge. */
export class PersonalKeys {
  private readonly keys = new Map<string, Buffer | null>();

  /** @param esdbEventId the UUID EventStoreDB stores for a port event id */
  constructor(
    private readonly client: EventStoreDBClient,
    private readonly esdbEventId: (id: string) => string,
  ) {}

  /** The key of an event's personal part; with `create`, made and stored when there is none. */
  async keyFor(esdbId: string, create: boolean): Promise<Buffer | undefined> {
    const cached = this.keys.get(esdbId);
    if (cached !== undefined && (cached !== null || !create)) return cached ?? undefined;
    const stream = keyStreamOf(esdbId);
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await this.readKey(stream);
      if (found !== undefined || !create) {
        this.remember(esdbId, found ?? null);
        return found;
      }
      const key = newPersonalKey();
      try {
        await this.client.appendToStream(stream, keyEvent(randomUUID(), key), { expectedRevision: NO_STREAM });
        this.remember(esdbId, key);
        return key;
      } catch (error) {
        // another writer of the same event (a retried append) stored its key first: read that one
        if (!(error instanceof EsdbWrongExpectedVersionError)) throw error;
      }
    }
    throw new Error(`the key stream ${stream} could neither be read nor written`);
  }

  /** after a purge deleted the key stream */
  forget(esdbId: string): void {
    this.remember(esdbId, null);
  }

  /** the events with their personal parts opened (nulls where the key is gone) */
  async opened(events: RecordedEvent[]): Promise<RecordedEvent[]> {
    if (!events.some((e) => sealedOf(e.metadata) !== undefined)) return events;
    const out: RecordedEvent[] = [];
    for (let i = 0; i < events.length; i += OPEN_CONCURRENCY) {
      const chunk = events.slice(i, i + OPEN_CONCURRENCY);
      out.push(
        ...(await Promise.all(
          chunk.map(async (event) => {
            const sealed = sealedOf(event.metadata);
            if (sealed === undefined) return event;
            const id = this.esdbEventId(event.id);
            return withOpenedPersonal(event, openPersonal(sealed, await this.keyFor(id, false), id));
          }),
        )),
      );
    }
    return out;
  }

  /** the key the first event of a key stream holds; undefined when the stream is missing or deleted */
  private async readKey(stream: string): Promise<Buffer | undefined> {
    let data: unknown;
    try {
      for await (const resolved of this.client.readStream(stream, { fromRevision: START, direction: FORWARDS, maxCount: 1 })) {
        if (resolved.event) data ??= resolved.event.data;
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError || error instanceof StreamDeletedError) return undefined;
      throw error;
    }
    return data === undefined ? undefined : keyOf(data);
  }

  private remember(esdbId: string, key: Buffer | null): void {
    this.keys.delete(esdbId);
    this.keys.set(esdbId, key);
    if (this.keys.size > KEY_CACHE_ENTRIES) this.keys.delete(this.keys.keys().next().value!);
  }
}
