/**
 * When each phone last checked in ("last seen"). A check-in writes no event unless
 * something changed (SPEC §5.1), so this is operational data outside the event log: kept
 * in memory on every check-in and written in batches to a small presence table, where
 * several app nodes keep the latest time each of them saw. Losing the last few seconds of
 * it in a crash loses nothing but those times.
 */

export interface PresenceStore {
  /** keep these times (mac → RFC 3339), each only where it is later than the one stored */
  save(seen: ReadonlyMap<string, string>): Promise<void>;
  /** the stored times of these MACs (absent: never seen) */
  load(macs: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

const later = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : Date.parse(a) >= Date.parse(b) ? a : b;

export class Presence {
  private pending = new Map<string, string>();
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly store: PresenceStore) {}

  /** a phone checked in at `at` */
  seen(mac: string, at: string): void {
    this.pending.set(mac, at);
  }

  /** the last check-in of each MAC, from this node's unwritten times and the table */
  async lastSeen(macs: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const stored = await this.store.load(macs);
    const out = new Map<string, string>();
    for (const mac of macs) {
      const at = later(this.pending.get(mac), stored.get(mac));
      if (at !== undefined) out.set(mac, at);
    }
    return out;
  }

  /** how many times wait to be written */
  get unwritten(): number {
    return this.pending.size;
  }

  /** write what was seen since the last flush; one flush at a time */
  flush(): Promise<void> {
    const run = this.flushing.catch(() => undefined).then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.store.save(batch);
      } catch (error) {
        // keep the batch (unless newer times came in meanwhile) for the next flush
        for (const [mac, at] of batch) if (!this.pending.has(mac)) this.pending.set(mac, at);
        throw error;
      }
    });
    this.flushing = run;
    return run;
  }
}
