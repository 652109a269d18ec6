import * as E from 'fp-ts/Either';
import * as t from 'io-ts';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../src/application/ports/event-store';
import {
  aggregateOfStream,
  aggregateOfType,
  aggregates,
  decodeDomainEvent,
  eventCodec,
  withUpcasters,
  type AnyDomainEvent,
} from '../../src/domain';
import { leftOf, rightOf } from './decider-spec';
import { digest, T0 } from './fixtures';

/** Compiles only while every event's data is a JSON object as the event store port takes it. */
export const storable = (event: AnyDomainEvent): JsonObject => event.data;

const allTypes = aggregates.flatMap((a) => a.codec.types);

describe('event catalogue', () => {
  it('event type names are PascalCase, past tense and unique across the whole domain', () => {
    expect(allTypes).toEqual(expect.arrayContaining(['CodeIssued', 'DeviceProvisioned', 'UserCreated', 'RolloutStarted']));
    expect(new Set(allTypes).size).toBe(allTypes.length);
    for (const type of allTypes) expect(type).toMatch(/^[A-Z][a-z]+(?:[A-Z][a-z]+)*ed$/);
  });

  it('stream categories are unique and dash-free, so a stream name tells its aggregate', () => {
    const categories = aggregates.map((a) => a.streamCategory);
    expect(new Set(categories).size).toBe(categories.length);
    for (const category of categories) expect(category).toMatch(/^[a-z][A-Za-z]*$/);
    expect(aggregateOfStream('device-009033aabbcc')?.aggregate).toBe('Device');
    expect(aggregateOfStream(`deviceCode-${'a'.repeat(64)}`)?.aggregate).toBe('DeviceCode');
    expect(aggregateOfStream('code-abc')?.aggregate).toBe('ProvisioningCode');
    expect(aggregateOfStream('nothing-1')).toBeUndefined();
  });

  it('any stored event decodes by its type; unknown types and bad data are refused', () => {
    const data = { codeHash: digest('ab'.repeat(32)), at: T0 };
    expect(rightOf(decodeDomainEvent({ type: 'CodeRevoked', data }))).toEqual({ type: 'CodeRevoked', data });
    expect(aggregateOfType('CodeRevoked')?.aggregate).toBe('ProvisioningCode');
    expect(leftOf(decodeDomainEvent({ type: 'CodeStolen', data })).code).toBe('validation-failed');
    expect(leftOf(decodeDomainEvent({ type: 'CodeRevoked', data: { ...data, at: 'yesterday' } })).detail).toMatch(/at/);
    expect(leftOf(decodeDomainEvent({ type: 'CodeRevoked', data: null })).code).toBe('validation-failed');
  });

  it('unknown fields of stored data are dropped, not trusted', () => {
    const data = { codeHash: digest('ab'.repeat(32)), at: T0 };
    expect(rightOf(decodeDomainEvent({ type: 'CodeRevoked', data: { ...data, isAdmin: true } }))).toEqual({ type: 'CodeRevoked', data });
  });

  it('docs/events.md lists every event type and every stream category', () => {
    const doc = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/events.md'), 'utf8');
    for (const type of allTypes) expect(doc, type).toContain(`\`${type}\``);
    for (const a of aggregates) expect(doc, a.streamCategory).toContain(`\`${a.streamCategory}-`);
  });
});

describe('schema evolution: versioned types with upcasters', () => {
  // A made-up event whose first version named the field `title`; version 2 calls it `name`
  // and adds `tags`.
  const Named = eventCodec('ThingEvent', { 'ThingNamed.v2': t.strict({ name: t.string, tags: t.array(t.string) }) });
  const upcasting = withUpcasters(Named, [
    {
      from: 'ThingNamed',
      to: 'ThingNamed.v2',
      upcast: (data) => ({ name: (data as { title?: unknown }).title, tags: [] }),
    },
  ]);

  it('a stored old version is upcast to the current one while decoding', () => {
    expect(upcasting.decode({ type: 'ThingNamed', data: { title: 'x' } })).toEqual(E.right({ type: 'ThingNamed.v2', data: { name: 'x', tags: [] } }));
  });

  it('the current version decodes as it is, and a broken old one is still refused', () => {
    expect(upcasting.decode({ type: 'ThingNamed.v2', data: { name: 'y', tags: ['a'] } })).toEqual(
      E.right({ type: 'ThingNamed.v2', data: { name: 'y', tags: ['a'] } }),
    );
    expect(E.isLeft(upcasting.decode({ type: 'ThingNamed', data: { title: 42 } }))).toBe(true);
    expect(upcasting.types).toEqual(['ThingNamed.v2', 'ThingNamed']);
  });
});
