/** The payload of the append function's NOTIFY, as the listener reads it (postgres-listen.ts). */
import { describe, expect, it } from 'vitest';
import { appendedTypes } from '../../src/adapters/eventstore/postgres-listen';

describe('the types a notification names', () => {
  it('reads the JSON array of types after the head', () => {
    expect(appendedTypes('123 ["DeviceProvisioned","PhoneRegistered"]')).toEqual(new Set(['DeviceProvisioned', 'PhoneRegistered']));
    expect(appendedTypes('7 ["With space, and comma"]')).toEqual(new Set(['With space, and comma']));
  });

  it('names none (every listener wakes) for the head alone, an older node, or anything it cannot read', () => {
    for (const payload of [undefined, '', '123', '123 ', '123 [', '123 []', '123 [1,2]', '123 {"t":"A"}', '123 "A"', '123 ["A",null]', 'x'.repeat(9000)]) {
      expect(appendedTypes(payload)).toBeUndefined();
    }
  });
});
