/**
 * Facts recorded once, at the first set-up of a store, that every later process must
 * agree with (the fingerprint of the server secret): the first value written under a key
 * stays; later writers learn it.
 */
export interface SetupRecord {
  /** the value recorded under `key`, if any (reads only) */
  get(key: string): Promise<string | undefined>;
  /** record `value` under `key` unless a value is there; answers the value that stays */
  claim(key: string, value: string): Promise<string>;
}

/** A set-up record held in memory (the memory store). */
export class MemorySetupRecord implements SetupRecord {
  private readonly values = new Map<string, string>();

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }

  async claim(key: string, value: string): Promise<string> {
    if (!this.values.has(key)) this.values.set(key, value);
    return this.values.get(key)!;
  }
}
