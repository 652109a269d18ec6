/**
 * WAL checkpoints off the event loop. SQLite copies the WAL back into the database file in
 * the connection that commits, once the WAL has grown past `wal_autocheckpoint` pages: with
 * better-sqlite3 that is the event loop, and copying 16 MiB and syncing the file held every
 * request for about 45 ms, several times a second under a rush of first redeems.
 *
 * Here a worker thread with a connection of its own runs a PASSIVE checkpoint every 100 ms
 * (it never waits for a lock and never blocks the writer or readers), so the database file
 * stays close behind the WAL. The committing connection keeps an autocheckpoint, 64 MiB
 * instead of 16: that checkpoint finds little left to copy, and it is what lets SQLite start
 * the WAL over (a writer that never stops would otherwise never see it fully copied, and
 * the WAL would grow without bound). If the worker cannot run, the committing connection
 * goes back to checkpointing every 16 MiB itself.
 */
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** pages (4 KiB) of WAL after which the committing connection checkpoints, without the worker */
export const INLINE_AUTOCHECKPOINT_PAGES = 4000;
/** the same while the worker keeps the file close behind */
export const BACKGROUND_AUTOCHECKPOINT_PAGES = 16384;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
// a PASSIVE checkpoint takes what it can and never waits: busy means the writer is checkpointing
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    if (error.code !== 'SQLITE_BUSY' && error.code !== 'SQLITE_LOCKED') throw error;
  }
}, workerData.everyMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/** an error thrown in the worker may arrive as a plain object (a SqliteError keeps only its code) */
const messageOf = (error: unknown): string => {
  if (typeof error === 'object' && error !== null) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    if (typeof message === 'string' && message !== '') return message;
    if (typeof code === 'string') return code;
  }
  return String(error);
};

export class BackgroundCheckpoints {
  private stopped = false;
  private readonly exited: Promise<void>;

  private constructor(
    db: Database.Database,
    private readonly worker: Worker,
  ) {
    // an error ends the worker too; whatever ends it before stop(), the writer checkpoints again
    worker.on('error', (error: unknown) =>
      process.emitWarning(`SQLite WAL checkpoints are back in the committing connection: ${messageOf(error)}`),
    );
    this.exited = new Promise((resolve) =>
      worker.once('exit', () => {
        if (!this.stopped && db.open) db.pragma(`wal_autocheckpoint = ${INLINE_AUTOCHECKPOINT_PAGES}`);
        resolve();
      }),
    );
  }

  /** Checkpoint this database file from a worker thread (not an in-memory one: there is no WAL). */
  static start(db: Database.Database, everyMs = 100): BackgroundCheckpoints | undefined {
    if (db.memory) return undefined;
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path: db.name, everyMs } });
    worker.unref(); // it never keeps the process alive
    db.pragma(`wal_autocheckpoint = ${BACKGROUND_AUTOCHECKPOINT_PAGES}`);
    return new BackgroundCheckpoints(db, worker);
  }

  /** the worker closes its connection and ends (or is ended after a second) */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.worker.postMessage('stop');
    const timer = setTimeout(() => void this.worker.terminate(), 1000);
    await this.exited;
    clearTimeout(timer);
  }
}
