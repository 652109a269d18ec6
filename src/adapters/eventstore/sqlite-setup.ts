/** The set-up record in SQLite (`zt_setup`, beside the events): the first value of a key stays. */
import type Database from 'better-sqlite3';
import type { SetupRecord } from '../../application/ports/setup-record';

export class SqliteSetupRecord implements SetupRecord {
  private readonly select: Database.Statement<[string], { value: string }>;
  private readonly insert: Database.Statement<[string, string, string]>;

  constructor(db: Database.Database) {
    db.exec('CREATE TABLE IF NOT EXISTS zt_setup (key TEXT PRIMARY KEY, value TEXT NOT NULL, recorded_at TEXT NOT NULL) WITHOUT ROWID');
    this.select = db.prepare<[string], { value: string }>('SELECT value FROM zt_setup WHERE key = ?');
    this.insert = db.prepare<[string, string, string]>('INSERT INTO zt_setup (key, value, recorded_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING');
  }

  async get(key: string): Promise<string | undefined> {
    return this.select.get(key)?.value;
  }

  async claim(key: string, value: string): Promise<string> {
    this.insert.run(key, value, new Date().toISOString());
    return this.select.get(key)!.value;
  }
}
