/**
 * The personal fields every aggregate declares (docs/events.md, "Personal data and its
 * deletion"): for every declared event type a stored sample decodes with each declared
 * path set to null (what a purge leaves), split and merged it comes back as it was, and
 * the data without its personal part holds none of the personal values.
 */
import { describe, expect, it } from 'vitest';
import { aggregateOfType, decodeDomainEvent, personalFields } from '../../src/domain';
import { expandPattern, mergePersonal, nulled, splitPersonal } from '../../src/application/ports/personal-part';
import type { JsonObject } from '../../src/application/ports/event-store';

const AT = '2026-03-01T09:00:00.000Z';
const LATER = '2026-03-08T09:00:00.000Z';
const HASH = 'a'.repeat(64);

/** one stored sample of every event type with personal fields */
const samples: Record<string, JsonObject> = {
  PhoneCodeRequested: { codeHash: HASH, code: '123456789012', userId: 'alice', category: 'office', rolloutId: null, expiresAt: LATER, at: AT },
  PhoneRegistered: { codeHash: HASH, code: '123456789012', userId: 'alice', category: 'office', rolloutId: 'r1', mac: '009033aabb01', model: 'IP112', at: AT },
  RolloutStarted: {
    rolloutId: 'r1',
    category: 'office',
    phoneAppId: 'phone',
    entries: [
      { userId: 'alice', codeHash: HASH, code: '123456789012', expiresAt: LATER },
      { userId: 'bob', codeHash: 'b'.repeat(64), code: '210987654321', expiresAt: LATER },
    ],
    at: AT,
  },
  RolloutCodeReissued: { rolloutId: 'r1', userId: 'alice', codeHash: HASH, code: '123456789012', expiresAt: LATER, at: AT },
  DeviceProvisioned: {
    mac: '009033aabb01',
    domain: 'example.com',
    category: 'office',
    model: 'IP112',
    firmware: '13r1',
    bootcode: '13r1 boot',
    codeHash: HASH,
    code: '123456789012',
    credentialHash: 'c'.repeat(64),
    noticeId: 'n1',
    at: AT,
  },
  UnassignedPhoneRecorded: { mac: '009033aabb01', model: 'IP112', code: '123456789012', noticeId: 'n1', reason: 'unknown-code', at: AT },
};

describe('personal fields', () => {
  it('has a sample for exactly the declared event types, each of a known aggregate', () => {
    expect(Object.keys(samples).sort()).toEqual(Object.keys(personalFields).sort());
    for (const type of Object.keys(personalFields)) expect(aggregateOfType(type), type).toBeDefined();
  });

  describe.each(Object.entries(personalFields))('%s', (type, patterns) => {
    const data = samples[type]!;

    it('decodes as stored, and with every declared path null', () => {
      expect(decodeDomainEvent({ type, data })._tag).toBe('Right');
      const { data: rest, personal } = splitPersonal(data, patterns);
      expect(Object.keys(personal).length).toBeGreaterThan(0);
      for (const path of Object.keys(personal)) {
        const one = mergePersonal(rest, { ...personal, [path]: null });
        expect(decodeDomainEvent({ type, data: one }), path).toMatchObject({ _tag: 'Right' });
      }
      expect(decodeDomainEvent({ type, data: mergePersonal(rest, nulled(personal)) })._tag).toBe('Right');
    });

    it('splits into data without the values and a personal part that merges back', () => {
      const { data: rest, personal } = splitPersonal(data, patterns);
      expect(Object.keys(personal)).toEqual(patterns.flatMap((p) => expandPattern(data, p)));
      for (const value of Object.values(personal)) if (value !== null) expect(JSON.stringify(rest)).not.toContain(JSON.stringify(value));
      expect(mergePersonal(rest, personal)).toEqual(data);
      expect(data).toEqual(samples[type]); // nothing was changed in place
    });
  });
});
