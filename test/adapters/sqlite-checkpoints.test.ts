import Database from 'better-sqlite3';
import { existsSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase, SqliteEventStore } from '../../src/adapters/eventstore/sqlite';
import { BACKGROUND_AUTOCHECKPOINT_PAGES, BackgroundCheckpoints, INLINE_AUTOCHECKPOINT_PAGES } from '../../src/adapters/eventstore/sqlite-checkpoints';
import { tempDir } from '../support/temp-dir';

const dirs: Array<{ remove: () => void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
const fileIn = (name: string): string => {
  const dir = tempDir('zt-sqlite-checkpoints-');
  dirs.push(dir);
  return join(dir.path, name);
};

const autocheckpoint = (db: Database.Database): number => db.pragma('wal_autocheckpoint', { simple: true }) as number;

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const event = (i: number) => ({ id: `e-${i}`, type: 'Filled', data: { i, pad: 'x'.repeat(400) } });

describe('SQLite WAL checkpoints off the event loop', () => {
  it('copies the WAL into the database file while the store stays open, and leaves no WAL after close', async () => {
    const file = fileIn('events.db');
    const store = SqliteEventStore.open(file);
    expect(autocheckpoint(store.db)).toBe(BACKGROUND_AUTOCHECKPOINT_PAGES);
    const before = statSync(file).size;
    // about 1 MB of events, far below the writer's own autocheckpoint: only the worker copies them
    for (let batch = 0; batch < 40; batch++) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => store.appendToStream(`s-${batch}-${j}`, [event(batch * 50 + j)])));
    }
    await until(() => statSync(file).size > before + 800_000);
    expect((await store.readAll({ limit: 10_000 })).events).toHaveLength(2000);
    await store.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = SqliteEventStore.open(file, { backgroundCheckpoints: false });
    expect((await reopened.readAll({ limit: 10_000 })).events).toHaveLength(2000);
    await reopened.close();
  });

  it('keeps the inline autocheckpoint when asked to, and for an in-memory database', async () => {
    const store = SqliteEventStore.open(fileIn('inline.db'), { backgroundCheckpoints: false });
    expect(autocheckpoint(store.db)).toBe(INLINE_AUTOCHECKPOINT_PAGES);
    await store.close();
    const memory = new SqliteEventStore(new Database(':memory:'));
    await memory.appendToStream('s', [event(1)]);
    expect((await memory.readStream('s')).currentVersion).toBe(1);
    await memory.close();
  });

  it('falls back to checkpointing in the committing connection when the worker cannot run', async () => {
    const file = fileIn('gone.db');
    const db = openSqliteDatabase(file);
    db.exec('CREATE TABLE t (x)');
    unlinkSync(file); // the worker's connection must find the file, and now cannot
    const checkpoints = BackgroundCheckpoints.start(db)!;
    expect(autocheckpoint(db)).toBe(BACKGROUND_AUTOCHECKPOINT_PAGES);
    await until(() => autocheckpoint(db) === INLINE_AUTOCHECKPOINT_PAGES);
    await checkpoints.stop(); // already ended: answers at once
    db.close();
  });
});
