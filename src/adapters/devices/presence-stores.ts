/**
 * Where the "last seen" times of phones are written (see application/devices/presence.ts),
 * in memory and in SQLite (PostgreSQL: presence-store-postgres.ts, loaded only with that store):
 * a small table beside the events, outside the event log: `zt_device_presence (mac,
 * last_seen)`. An upsert keeps the later time, so several app nodes may write it.
 */
import type Database from 'better-sqlite3';
import type { PresenceStore } from '../../application/devices/presence';

const laterOf = (a: string | undefined, b: string): string => (a !== undefined && Date.parse(a) >= Date.parse(b) ? a : b);

export class MemoryPresenceStore implements PresenceStore {
  private readonly times = new Map<string, string>();

  async save(seen: ReadonlyMap<string, string>): Promise<void> {
    for (const [mac, at] of seen) this.times.set(mac, laterOf(this.times.get(mac), at));
  }

  async load(macs: readonly string[]): Promise<ReadonlyMap<string, string>> {
    return new Map(macs.flatMap((mac) => (this.times.has(mac) ? [[mac, this.times.get(mac)!] as const] : [])));
  }
}

export class SqlitePresenceStore implements PresenceStore {
  private readonly upsert: (seen: ReadonlyMap<string, string>) => void;
  private readonly select: Database.Statement<[string], { last_seen: string }>;

  constructor(db: Database.Database) {
    db.exec('CREATE TABLE IF NOT EXISTS zt_device_presence (mac TEXT PRIMARY KEY, last_seen TEXT NOT NULL) WITHOUT ROWID');
    // canonical RFC 3339 UTC times compare as text
    const put = db.prepare<[string, string]>(
      'INSERT INTO zt_device_presence (mac, last_seen) VALUES (?, ?) ON CONFLICT (mac) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)',
    );
    this.upsert = db.transaction((seen: ReadonlyMap<string, string>) => {
      for (const [mac, at] of seen) put.run(mac, at);
    }).immediate;
    this.select = db.prepare<[string], { last_seen: string }>('SELECT last_seen FROM zt_device_presence WHERE mac = ?');
  }

  async save(seen: ReadonlyMap<string, string>): Promise<void> {
    this.upsert(seen);
  }

  async load(macs: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const out = new Map<string, string>();
    for (const mac of macs) {
      const row = this.select.get(mac);
      if (row) out.set(mac, row.last_seen);
    }
    return out;
  }
}
