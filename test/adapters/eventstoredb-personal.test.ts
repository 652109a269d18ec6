/** The pure half of crypto-shredding on EventStoreDB (src/adapters/eventstore/eventstoredb-personal.ts). */
import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/application/ports/event-store';
import {
  KEY_EVENT_TYPE,
  PERSONAL_KEY,
  keyEvent,
  keyOf,
  keyStreamOf,
  newPersonalKey,
  openPersonal,
  sealPersonal,
  sealedOf,
  withOpenedPersonal,
} from '../../src/adapters/eventstore/eventstoredb-personal';

const ID = '6f1c1f4e-2a4b-4c1d-9e3f-0a1b2c3d4e5f';
const PERSONAL = { code: '123456789012', 'entries.1.code': '210987654321' };

describe('sealing personal parts', () => {
  it('opens a sealed part with its key, and keeps no value in the sealed form', () => {
    const key = newPersonalKey();
    const sealed = sealPersonal(PERSONAL, key, ID);
    expect(sealed.paths).toEqual(['code', 'entries.1.code']);
    expect(JSON.stringify(sealed)).not.toMatch(/123456789012|210987654321/);
    expect(openPersonal(sealed, key, ID)).toEqual(PERSONAL);
    // a fresh IV every time: the same part seals differently
    expect(sealPersonal(PERSONAL, key, ID).sealed).not.toBe(sealed.sealed);
  });

  it('reads every path as null once the key is gone', () => {
    const sealed = sealPersonal(PERSONAL, newPersonalKey(), ID);
    expect(openPersonal(sealed, undefined, ID)).toEqual({ code: null, 'entries.1.code': null });
  });

  it('refuses to open with another key or under another event id (the id is authenticated)', () => {
    const key = newPersonalKey();
    const sealed = sealPersonal(PERSONAL, key, ID);
    expect(() => openPersonal(sealed, newPersonalKey(), ID)).toThrow();
    expect(() => openPersonal(sealed, key, ID.replace('6f', '7f'))).toThrow();
    expect(() => openPersonal({ ...sealed, tag: Buffer.alloc(16).toString('base64') }, key, ID)).toThrow();
  });

  it('finds the sealed part in metadata only when it is well formed', () => {
    const sealed = sealPersonal(PERSONAL, newPersonalKey(), ID);
    expect(sealedOf({ actor: 'test', [PERSONAL_KEY]: { ...sealed } })).toEqual(sealed);
    expect(sealedOf({ actor: 'test' })).toBeUndefined();
    expect(sealedOf({ [PERSONAL_KEY]: 'text' })).toBeUndefined();
    expect(sealedOf({ [PERSONAL_KEY]: { ...sealed, iv: 1 } })).toBeUndefined();
    expect(sealedOf({ [PERSONAL_KEY]: { ...sealed, paths: 'code' } })).toBeUndefined();
  });

  it('gives the event its opened part and takes the sealed one out of its metadata', () => {
    const sealed = sealPersonal(PERSONAL, newPersonalKey(), ID);
    const event = {
      id: ID,
      type: 'Requested',
      data: { codeHash: 'h' },
      personal: {},
      metadata: { actor: 'test', [PERSONAL_KEY]: { ...sealed } },
      streamName: 's',
      streamVersion: 1,
      globalPosition: 1024,
      recordedAt: '2026-12-06T00:00:00.000Z',
    } as RecordedEvent;
    const opened = withOpenedPersonal(event, PERSONAL);
    expect(opened.personal).toEqual(PERSONAL);
    expect(opened.metadata).toEqual({ actor: 'test' });
    expect(opened.data).toEqual({ codeHash: 'h' });
  });
});

describe('key streams', () => {
  it('keeps a key in a key event of the adapter\'s own stream, and reads it back', () => {
    const key = newPersonalKey();
    expect(keyStreamOf(ID)).toBe(`zt.key-${ID}`);
    const event = keyEvent('0d6b5f3e-9c1a-4f2b-8e7d-1a2b3c4d5e6f', key);
    expect(event.type).toBe(KEY_EVENT_TYPE);
    expect(keyOf(event.data)?.equals(key)).toBe(true);
  });

  it('takes nothing else for a key', () => {
    expect(keyOf(undefined)).toBeUndefined();
    expect(keyOf({ key: 42 })).toBeUndefined();
    expect(keyOf({ key: Buffer.alloc(16).toString('base64') })).toBeUndefined();
    expect(keyOf(new Uint8Array(32))).toBeUndefined();
  });
});
