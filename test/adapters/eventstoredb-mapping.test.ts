import { describe, expect, it } from 'vitest';
import { ANY, NO_STREAM, START, UnavailableError, type Position } from '@eventstore/db-client';
import { InvalidEventError, type NewEvent } from '../../src/application/ports/event-store';
import { isUnavailable } from '../../src/adapters/eventstore/eventstoredb';
import {
  DELETION_MARKER_TYPE,
  EVENT_ID_NAMESPACE,
  deletionMarker,
  NOT_TRUNCATED,
  ORIGINAL_ID_KEY,
  TruncationCache,
  esdbEventId,
  expectedRevisionFor,
  fromEsdbRecord,
  globalPositionOf,
  isAfter,
  isCanonicalUuid,
  isLive,
  isSystemEvent,
  planAppend,
  readAllStart,
  revisionFromVersion,
  toEventData,
  truncationFromMetadata,
  uuidV5,
  versionFromRevision,
  type EsdbRecord,
} from '../../src/adapters/eventstore/eventstoredb-mapping';

const at = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });

const record = (overrides: Partial<EsdbRecord> = {}): EsdbRecord => ({
  streamId: 'device-009033aabbcc',
  id: '7d3c1f0a-2b4e-4c6d-8e9f-0a1b2c3d4e5f',
  revision: 0n,
  type: 'DeviceProvisioned',
  created: new Date('2026-05-01T10:00:00.123Z'),
  isJson: true,
  data: { mac: '009033aabbcc' },
  metadata: { actor: 'system' },
  position: at(4242),
  ...overrides,
});

const ev = (id: string, metadata?: Record<string, unknown>): NewEvent => ({ id, type: 'A', data: { n: 1 }, ...(metadata ? { metadata } : {}) }) as NewEvent;

describe('stream versions and revisions', () => {
  it('numbers versions from 1 on revisions from 0, and back', () => {
    expect(versionFromRevision(0n)).toBe(1);
    expect(versionFromRevision(41n)).toBe(42);
    expect(revisionFromVersion(1)).toBe(0n);
    expect(revisionFromVersion(42)).toBe(41n);
    for (const v of [1, 2, 17, 1_000_000]) expect(versionFromRevision(revisionFromVersion(v))).toBe(v);
  });

  it('refuses versions that are no event and revisions beyond a safe number', () => {
    expect(() => revisionFromVersion(0)).toThrow(RangeError);
    expect(() => revisionFromVersion(1.5)).toThrow(RangeError);
    expect(() => versionFromRevision(-1n)).toThrow(RangeError);
    expect(() => versionFromRevision(BigInt(Number.MAX_SAFE_INTEGER))).toThrow(RangeError);
  });

  it('maps expected versions: 0 and no-stream to no_stream, n to revision n-1, any as it is', () => {
    expect(expectedRevisionFor('any')).toBe(ANY);
    expect(expectedRevisionFor('no-stream')).toBe(NO_STREAM);
    expect(expectedRevisionFor(0)).toBe(NO_STREAM);
    expect(expectedRevisionFor(1)).toBe(0n);
    expect(expectedRevisionFor(7)).toBe(6n);
  });
});

describe('event ids', () => {
  it('keeps lowercase UUIDs as they are', () => {
    const id = '7d3c1f0a-2b4e-4c6d-8e9f-0a1b2c3d4e5f';
    expect(isCanonicalUuid(id)).toBe(true);
    expect(esdbEventId(id)).toBe(id);
  });

  it('computes RFC 4122 version 5 UUIDs', () => {
    // the example of Python's uuid module: uuid5(NAMESPACE_DNS, 'python.org')
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(RangeError);
  });

  it('maps every other id deterministically to a distinct v5 UUID', () => {
    for (const id of ['order-1', 'PhoneProvisioned:009033aabbcc', '7D3C1F0A-2B4E-4C6D-8E9F-0A1B2C3D4E5F', '00000000-0000-0000-0000-000000000000', 'ü'.repeat(200)]) {
      expect(isCanonicalUuid(id)).toBe(false);
      const mapped = esdbEventId(id);
      expect(mapped).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(esdbEventId(id)).toBe(mapped);
      expect(mapped).toBe(uuidV5(id, EVENT_ID_NAMESPACE));
    }
    expect(esdbEventId('order-1')).not.toBe(esdbEventId('order-2'));
  });

  it('keeps the appended id in metadata only when it had to be replaced', () => {
    const uuid = '7d3c1f0a-2b4e-4c6d-8e9f-0a1b2c3d4e5f';
    const plain = toEventData(ev(uuid, { actor: 'test' }));
    expect(plain).toMatchObject({ id: uuid, type: 'A', contentType: 'application/json', data: { n: 1 }, metadata: { actor: 'test' } });
    expect(plain.metadata).not.toHaveProperty(ORIGINAL_ID_KEY);
    const mapped = toEventData(ev('order-1', { actor: 'test', gone: undefined }));
    expect(mapped.id).toBe(esdbEventId('order-1'));
    expect(mapped.metadata).toEqual({ actor: 'test', [ORIGINAL_ID_KEY]: 'order-1' });
    expect(toEventData(ev(uuid)).metadata).toEqual({});
  });

  it('refuses events that set the reserved metadata key or use the deletion marker type', () => {
    expect(() => toEventData(ev('order-1', { [ORIGINAL_ID_KEY]: 'other' }))).toThrow(InvalidEventError);
    expect(() => toEventData({ ...ev('order-1'), type: DELETION_MARKER_TYPE })).toThrow(InvalidEventError);
  });

  it('makes deletion markers without data or metadata', () => {
    const id = '7d3c1f0a-2b4e-4c6d-8e9f-0a1b2c3d4e5f';
    expect(deletionMarker(id)).toEqual({ id, contentType: 'application/json', type: DELETION_MARKER_TYPE, data: {}, metadata: {} });
  });
});

describe('recorded events', () => {
  it('gives back the appended id, version = revision + 1, position = commit position, time in UTC', () => {
    const recorded = fromEsdbRecord(
      record({ id: esdbEventId('order-1'), revision: 4n, metadata: { actor: 'system', [ORIGINAL_ID_KEY]: 'order-1' } }),
    );
    expect(recorded).toEqual({
      id: 'order-1',
      type: 'DeviceProvisioned',
      data: { mac: '009033aabbcc' },
      personal: {},
      metadata: { actor: 'system' },
      streamName: 'device-009033aabbcc',
      streamVersion: 5,
      globalPosition: 4242,
      recordedAt: '2026-05-01T10:00:00.123Z',
    });
    expect(fromEsdbRecord(record()).id).toBe('7d3c1f0a-2b4e-4c6d-8e9f-0a1b2c3d4e5f');
  });

  it('reads events written by others as objects', () => {
    expect(fromEsdbRecord(record({ metadata: undefined })).metadata).toEqual({});
    expect(fromEsdbRecord(record({ data: [1, 2] })).data).toEqual({ value: [1, 2] });
    expect(fromEsdbRecord(record({ isJson: false, data: Uint8Array.from([1, 2, 3]) })).data).toEqual({ base64: 'AQID' });
  });
});

describe('positions', () => {
  it('uses the commit position, which equals the prepare position of an event appended through gRPC', () => {
    expect(globalPositionOf(at(1234), 'e')).toBe(1234);
  });

  it('refuses missing, unset and explicit-transaction positions', () => {
    expect(() => globalPositionOf(undefined, 'e')).toThrow(/no log position/);
    expect(() => globalPositionOf(at(0), 'e')).toThrow(/no log position/);
    expect(() => globalPositionOf({ commit: 18446744073709551615n, prepare: 18446744073709551615n }, 'e')).toThrow(/no log position/);
    expect(() => globalPositionOf({ commit: 2000n, prepare: 1500n }, 'e')).toThrow(/explicit transaction/);
    expect(() => globalPositionOf(at(Number.MAX_SAFE_INTEGER + 2), 'e')).toThrow(RangeError);
  });

  it('starts readAll at the beginning for 0, else at the event at `after`, which it then drops', () => {
    expect(readAllStart(0)).toBe(START);
    expect(readAllStart(5120)).toEqual({ commit: 5120n, prepare: 5120n });
    // three events of one append: resuming after the second gives only the third
    const append = [at(1000), at(1187), at(1374)];
    expect(append.filter((p) => isAfter(p, 1187))).toEqual([at(1374)]);
    expect(append.filter((p) => isAfter(p, 0))).toEqual(append);
  });
});

describe('what readAll shows', () => {
  it('hides system streams, metadata streams and system event types', () => {
    expect(isSystemEvent('$stats-127.0.0.1:2113', 'StatsCollected')).toBe(true);
    expect(isSystemEvent('$$device-1', '$metadata')).toBe(true);
    expect(isSystemEvent('device-1', '$>')).toBe(true);
    expect(isSystemEvent('device-1', DELETION_MARKER_TYPE)).toBe(true);
    expect(isSystemEvent('device-1', 'DeviceProvisioned')).toBe(false);
  });

  it('reads the truncate-before of a stream from its metadata', () => {
    expect(truncationFromMetadata(undefined, 10)).toEqual(NOT_TRUNCATED);
    expect(truncationFromMetadata({ $maxAge: 60 }, 10)).toEqual(NOT_TRUNCATED);
    expect(truncationFromMetadata({ $tb: 0 }, 10)).toEqual(NOT_TRUNCATED);
    expect(truncationFromMetadata({ $tb: 3 }, 10)).toEqual({ kind: 'truncated', before: 3n });
    // a soft delete writes $tb = long.MaxValue, which JSON.parse rounds to 2^63
    expect(truncationFromMetadata(JSON.parse('{"$tb":9223372036854775807}'), 5000)).toEqual({ kind: 'deleted', at: 5000 });
    expect(truncationFromMetadata({ $tb: 9223372036854775807 }, undefined)).toEqual({ kind: 'deleted', at: Number.MAX_SAFE_INTEGER });
  });

  it('drops events of deleted streams and of earlier lives of re-created ones', () => {
    expect(isLive(0n, 100, NOT_TRUNCATED)).toBe(true);
    // deleted at log position 5000: everything before is gone
    const deleted = truncationFromMetadata({ $tb: 9223372036854775807 }, 5000);
    expect(isLive(0n, 100, deleted)).toBe(false);
    expect(isLive(1n, 4900, deleted)).toBe(false);
    // written after the delete: a re-creation whose new $tb is not written yet
    expect(isLive(2n, 5200, deleted)).toBe(true);
    // re-created: $tb = the first revision of the new life
    const recreated = truncationFromMetadata({ $tb: 2 }, 5300);
    expect(isLive(1n, 4900, recreated)).toBe(false);
    expect(isLive(2n, 5200, recreated)).toBe(true);
  });

  it('caches truncations for a while, bounded, and forgets a stream when told', () => {
    let now = 0;
    const cache = new TruncationCache(1000, 2, () => now);
    cache.set('a', NOT_TRUNCATED, cache.begin());
    expect(cache.get('a')).toEqual(NOT_TRUNCATED);
    now = 999;
    expect(cache.get('a')).toEqual(NOT_TRUNCATED);
    now = 1000;
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', NOT_TRUNCATED, cache.begin());
    cache.set('b', NOT_TRUNCATED, cache.begin());
    cache.set('c', NOT_TRUNCATED, cache.begin());
    expect(cache.size).toBe(2);
    expect(cache.get('a')).toBeUndefined();
    // a lookup that began before an invalidation is not cached
    const token = cache.begin();
    cache.invalidate('b');
    expect(cache.get('b')).toBeUndefined();
    cache.set('b', NOT_TRUNCATED, token);
    expect(cache.get('b')).toBeUndefined();
    expect(() => new TruncationCache(0).set('x', NOT_TRUNCATED, 0)).not.toThrow();
  });
});

describe('planning an append on the stream tail', () => {
  const stream = 'code-abc';
  const batch = [ev('e1'), ev('e2')];
  const tail = (current: number, existing: Array<[string, number]> = []) => ({
    current,
    existing: existing.map(([id, globalPosition]) => ({ id, globalPosition })),
  });

  it('writes when the expected version matches, with the mapped expected revision', () => {
    expect(planAppend(stream, batch, 'no-stream', tail(0))).toEqual({ kind: 'write', expectedRevision: NO_STREAM });
    expect(planAppend(stream, batch, 0, tail(0))).toEqual({ kind: 'write', expectedRevision: NO_STREAM });
    expect(planAppend(stream, batch, 3, tail(3))).toEqual({ kind: 'write', expectedRevision: 2n });
    expect(planAppend(stream, batch, 'any', tail(3))).toEqual({ kind: 'write', expectedRevision: ANY });
  });

  it('succeeds without writing when every id is in the stream, whatever the expected version', () => {
    const seen = tail(7, [
      ['e2', 900],
      ['e1', 880],
    ]);
    for (const expected of ['any', 'no-stream', 5] as const) {
      expect(planAppend(stream, batch, expected, seen)).toEqual({ kind: 'repeat', result: { nextExpectedVersion: 7, lastGlobalPosition: 900 } });
    }
  });

  it('refuses an append that repeats only some ids', () => {
    expect(() => planAppend(stream, batch, 'any', tail(2, [['e1', 500]]))).toThrow(InvalidEventError);
    expect(() => planAppend(stream, batch, 3, tail(40, [['e2', 500]]))).toThrow(InvalidEventError);
  });

  it('refuses a wrong expected version with a conflict', () => {
    expect(planAppend(stream, batch, 1, tail(0))).toEqual({ kind: 'conflict' });
    expect(planAppend(stream, batch, 'no-stream', tail(1))).toEqual({ kind: 'conflict' });
    expect(planAppend(stream, batch, 9, tail(3))).toEqual({ kind: 'conflict' });
    expect(planAppend(stream, batch, 2, tail(3))).toEqual({ kind: 'conflict' });
    // a deleted stream is version 0, even if it had events before
    expect(planAppend(stream, batch, 2, tail(0))).toEqual({ kind: 'conflict' });
    // an older expected version whose ids are not among the newest events: a conflict, not a repeat
    expect(planAppend(stream, batch, 2, tail(80))).toEqual({ kind: 'conflict' });
    expect(planAppend(stream, batch, 'no-stream', tail(80))).toEqual({ kind: 'conflict' });
  });
});

describe('unreachable servers', () => {
  it('recognises errors that mean the server cannot be reached', () => {
    expect(isUnavailable(new UnavailableError())).toBe(true);
    expect(isUnavailable(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:2113'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnavailable(new Error('Failed to discover after 10 attempts.'))).toBe(true);
    expect(isUnavailable(new InvalidEventError('bad'))).toBe(false);
    expect(isUnavailable(Object.assign(new Error('5 NOT_FOUND'), { code: 5 }))).toBe(false);
  });
});
