/**
 * A bounded map that keeps what was used recently: two generations of up to `entries`
 * each. Entries go into the young one; when it is full it becomes the old one and the
 * former old one is dropped; an entry found in the old one moves back to the young one. So
 * every entry used within the last `entries` insertions is kept, as in an exact
 * least-recently-used map of that bound, and at most twice as many are held; a hit costs
 * one lookup, not the delete and re-insert an exact order of use needs in a Map.
 */
export class RecentMap<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly generation: number;

  /** keeps at least the last `entries` used, at most twice that (0: nothing is kept) */
  constructor(entries: number) {
    this.generation = Math.max(0, Math.floor(entries));
  }

  get(key: K): V | undefined {
    const young = this.young.get(key);
    if (young !== undefined) return young;
    const old = this.old.get(key);
    if (old !== undefined) {
      this.old.delete(key);
      this.keep(key, old);
    }
    return old;
  }

  has(key: K): boolean {
    return this.young.has(key) || this.old.has(key);
  }

  set(key: K, value: V): void {
    if (this.generation === 0) return;
    this.old.delete(key);
    this.keep(key, value);
  }

  delete(key: K): void {
    this.young.delete(key);
    this.old.delete(key);
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  private keep(key: K, value: V): void {
    this.young.set(key, value);
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}
