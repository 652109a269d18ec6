/**
 * Tampering with the stored log, through SQL on the SQLite file and on PostgreSQL, is
 * caught by `audit verify` with its position; purges and deletes are not tampering; a
 * checkpoint taken before a consistent rewrite of the chain catches the rewrite.
 */
import { createHash, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresEventStore } from '../../src/adapters/eventstore/postgres';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite';
import { auditCheckpointCommand, auditVerifyCommand } from '../../src/adapters/cli/audit-verify';
import { linkDigest, sha256Hex } from '../../src/application/audit/chain-format';
import { verifyChain } from '../../src/application/audit/verify-chain';
import type { EventStore, NewEvent } from '../../src/application/ports/event-store';
import { MAIN, REPO } from '../support/child-server';
import { createTestDatabase } from '../support/postgres';
import { tempDir } from '../support/temp-dir';

const run = promisify(execFile);

const ev = (type: string, n: number, personal?: Record<string, string>): NewEvent =>
  ({ id: randomUUID(), type, data: { n, mac: `00903300000${n % 10}` }, ...(personal && { personal }), metadata: { actor: 'test' } }) as NewEvent;

/** 12 events at positions 1..12: streams a (1-4), b (5-8, with codes), c (9-12) */
async function seed(store: EventStore): Promise<void> {
  await store.appendToStream('device-a', [ev('A', 1), ev('A', 2), ev('A', 3), ev('A', 4)]);
  await store.appendToStream('code-b', [ev('B', 5, { code: '111111111111' }), ev('B', 6, { code: '222222222222' }), ev('B', 7), ev('B', 8)]);
  await store.appendToStream('device-c', [ev('C', 9), ev('C', 10), ev('C', 11), ev('C', 12)]);
}

/** a text sink for the commands */
function sink(): { out: NodeJS.WritableStream; text: () => string } {
  let text = '';
  const out = { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream;
  return { out, text: () => text };
}
const quietErr = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;

/** Every way in, per store: SQL to run against its storage, and a store opened on it. */
interface Target {
  sql(statement: string, values?: unknown[]): Promise<void>;
  open(): Promise<EventStore>;
  env: NodeJS.ProcessEnv;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function sqliteTarget(): Promise<Target> {
  const dir = tempDir('zt-tamper-');
  cleanups.push(dir.remove);
  const file = join(dir.path, 'zerotouch.db');
  return {
    sql: async (statement, values = []) => {
      const db = new Database(file);
      try {
        db.prepare(statement).run(...values);
      } finally {
        db.close();
      }
    },
    open: async () => SqliteEventStore.open(file, { backgroundCheckpoints: false }),
    env: { ZT_DATA_DIR: dir.path, ZT_STORE: `sqlite:${file}`, ZT_LOG_LEVEL: 'silent' },
  };
}

async function postgresTarget(): Promise<Target> {
  const db = await createTestDatabase();
  const dir = tempDir('zt-tamper-pg-');
  cleanups.push(() => db.drop(), dir.remove);
  return {
    sql: async (statement, values = []) => {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        await client.query(statement.replace(/\?/g, (_, i: number) => `$${statement.slice(0, i).split('?').length}`), values);
      } finally {
        await client.end();
      }
    },
    open: () => PostgresEventStore.open(db.url, { poolSize: 2 }),
    env: { ZT_DATA_DIR: dir.path, ZT_STORE: db.url, ZT_LOG_LEVEL: 'silent' },
  };
}

async function seeded(make: () => Promise<Target>): Promise<Target> {
  const target = await make();
  const store = await target.open();
  try {
    await seed(store);
  } finally {
    await store.close();
  }
  return target;
}

async function verify(target: Target, options: Parameters<typeof verifyChain>[1] = {}) {
  const store = await target.open();
  try {
    return await verifyChain(store, options);
  } finally {
    await store.close();
  }
}

describe.each([
  ['sqlite', sqliteTarget],
  ['postgres', postgresTarget],
] as const)('tamper evidence on %s', (_name, make) => {
  it('passes an untouched log, and a purged and deleted one', async () => {
    const t = await seeded(make);
    expect(await verify(t)).toMatchObject({ ok: true, checked: 12 });
    const store = await t.open();
    try {
      await store.purgePersonalData('code-b');
      await store.deleteStream('device-a');
    } finally {
      await store.close();
    }
    expect(await verify(t)).toMatchObject({ ok: true, checked: 12, deleted: 4, purged: 2 });
  });

  it('catches a changed byte of stored data, metadata, type or time at its position', async () => {
    for (const [column, value] of [
      ['data', '{"n":3,"mac":"009033000004"}'],
      ['metadata', '{"actor":"someone else"}'],
      ['type', 'Other'],
      ['stream_version', 7],
    ] as const) {
      const t = await seeded(make);
      await t.sql(`UPDATE zt_events SET ${column} = ? WHERE global_position = 3`, [value]);
      expect((await verify(t)).failure, column).toMatchObject({ position: 3, kind: 'changed' });
    }
  });

  it('catches a deleted row, the newest rows deleted, two rows swapped and a digest edited', async () => {
    let t = await seeded(make);
    await t.sql('DELETE FROM zt_events WHERE global_position = 6');
    expect((await verify(t)).failure).toMatchObject({ position: 7, kind: 'missing' });

    t = await seeded(make);
    await t.sql('DELETE FROM zt_events WHERE global_position > 10');
    expect((await verify(t)).failure).toMatchObject({ position: 12, kind: 'missing' });

    t = await seeded(make);
    // rows 9 and 10 swap places, each with all it holds
    await t.sql('UPDATE zt_events SET global_position = 1000 WHERE global_position = 9');
    await t.sql('UPDATE zt_events SET global_position = 9 WHERE global_position = 10');
    await t.sql('UPDATE zt_events SET global_position = 10 WHERE global_position = 1000');
    expect((await verify(t)).failure).toMatchObject({ position: 9, kind: 'reordered' });

    t = await seeded(make);
    await t.sql(`UPDATE zt_events SET chain_digest = ? WHERE global_position = 4`, ['0'.repeat(64)]);
    expect((await verify(t)).failure).toMatchObject({ position: 4, kind: 'changed' });
  });

  it("catches a purged event's remaining digest edited, and personal values put back", async () => {
    const t = await seeded(make);
    const store = await t.open();
    await store.purgePersonalData('code-b');
    await store.close();
    await t.sql(`UPDATE zt_events SET personal_digest = ? WHERE global_position = 5`, ['1'.repeat(64)]);
    expect((await verify(t)).failure).toMatchObject({ position: 5, kind: 'changed' });
    const u = await seeded(make);
    const again = await u.open();
    await again.purgePersonalData('code-b');
    await again.close();
    await u.sql(`UPDATE zt_events SET personal = ? WHERE global_position = 6`, ['{"code":"999999999999"}']);
    expect((await verify(u)).failure).toMatchObject({ position: 6, kind: 'changed' });
  });

  it('a checkpoint taken before a consistent rewrite of the chain catches it', async () => {
    const t = await seeded(make);
    const cp = sink();
    expect(await auditCheckpointCommand([], { env: t.env, out: cp.out, err: quietErr })).toBe(0);
    const file = join(t.env['ZT_DATA_DIR']!, 'checkpoint.json');
    writeFileSync(file, cp.text());
    // rewrite event 2 and every link after it, and the head, as someone with the database could
    await t.sql(`UPDATE zt_events SET data = ? WHERE global_position = 2`, ['{"n":2,"mac":"rewritten"}']);
    const store = await t.open();
    let previous = (await store.readChain({ after: 0, limit: 1 })).entries[0]!.digest!;
    const entries = (await store.readChain({ after: 1 })).entries;
    await store.close();
    for (const e of entries) {
      const content = sha256Hex(e.content!.canonical);
      previous = linkDigest(previous, content);
      await t.sql('UPDATE zt_events SET content_digest = ?, chain_digest = ? WHERE global_position = ?', [content, previous, e.position]);
    }
    await t.sql('UPDATE zt_chain_head SET digest = ?', [previous]);
    expect((await verify(t)).ok).toBe(true); // the chain alone cannot tell
    const out = sink();
    expect(await auditVerifyCommand(['--checkpoint', file], { env: t.env, out: out.out, err: quietErr })).toBe(1);
    expect(out.text()).toMatch(/signature valid, by this installation's key/);
    expect(out.text()).toMatch(/position 12: checkpoint: .*rewritten/);
  });
});

describe('the real CLI', { timeout: 120_000 }, () => {
  it('audit verify exits 0 on a sound log and 1 with the position of a changed event; checkpoint and verify --checkpoint', async () => {
    const t = await seeded(sqliteTarget);
    const cli = async (...args: string[]) => {
      try {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: REPO, env: { ...process.env, ...t.env } });
        return { code: 0, stdout };
      } catch (error) {
        const e = error as { code: number; stdout: string };
        return { code: e.code, stdout: e.stdout };
      }
    };
    const ok = await cli('audit', 'verify');
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toMatch(/chain verified: 12 entries up to position 12 match/);
    const checkpoint = await cli('audit', 'checkpoint');
    expect(checkpoint.code).toBe(0);
    const document = JSON.parse(checkpoint.stdout) as { position: number; publicKey: string; signature: string };
    expect(document).toMatchObject({ format: 'zerotouch-audit-checkpoint-1', position: 12 });
    const file = join(t.env['ZT_DATA_DIR']!, 'cp.json');
    writeFileSync(file, checkpoint.stdout);
    expect((await cli('audit', 'verify', '--checkpoint', file)).stdout).toMatch(/the checkpoint matches/);
    writeFileSync(file, JSON.stringify({ ...document, position: 11 }));
    expect(await cli('audit', 'verify', '--checkpoint', file)).toMatchObject({ code: 1, stdout: expect.stringMatching(/signature does not match/) });
    await t.sql(`UPDATE zt_events SET data = '{"n":8}' WHERE global_position = 8`);
    const bad = await cli('audit', 'verify', '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, failure: { position: 8, kind: 'changed' } });
  });
});

describe('a store from before the chain', () => {
  const OLD_TABLE = `CREATE TABLE zt_events (
    global_position INTEGER PRIMARY KEY AUTOINCREMENT, stream_name TEXT NOT NULL, stream_version INTEGER NOT NULL,
    event_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL)`;

  it('keeps its rows unchained and chains from the next position on (SQLite)', async () => {
    const dir = tempDir('zt-chain-migrate-');
    cleanups.push(dir.remove);
    const file = join(dir.path, 'zerotouch.db');
    const db = new Database(file);
    db.exec(OLD_TABLE);
    for (let i = 1; i <= 3; i++) db.prepare(`INSERT INTO zt_events (stream_name, stream_version, event_id, type, data, metadata, recorded_at) VALUES ('old', ?, ?, 'Old', '{}', '{}', '2026-01-01T00:00:00.000Z')`).run(i, randomUUID());
    db.close();
    const store = SqliteEventStore.open(file, { backgroundCheckpoints: false });
    try {
      expect(await store.chainHead()).toMatchObject({ startPosition: 3, position: 3 });
      await store.appendToStream('new', [ev('New', 1), ev('New', 2)]);
      expect(await verifyChain(store)).toMatchObject({ ok: true, unchained: 3, checked: 2 });
    } finally {
      await store.close();
    }
  });

  it('keeps its rows unchained and chains from the next position on (PostgreSQL), and an unchained row after the start is reported', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(`CREATE TABLE zt_events (global_position BIGSERIAL PRIMARY KEY, stream_name TEXT COLLATE "C" NOT NULL, stream_version BIGINT NOT NULL,
      event_id TEXT COLLATE "C" NOT NULL, type TEXT NOT NULL, data JSONB NOT NULL, metadata JSONB NOT NULL, recorded_at TIMESTAMPTZ NOT NULL)`);
    for (let i = 1; i <= 3; i++) await client.query(`INSERT INTO zt_events (stream_name, stream_version, event_id, type, data, metadata, recorded_at) VALUES ('old', $1, $2, 'Old', '{}', '{}', now())`, [i, randomUUID()]);
    const store = await PostgresEventStore.open(db.url, { poolSize: 2 });
    try {
      expect(await store.chainHead()).toMatchObject({ startPosition: 3, position: 3 });
      await store.appendToStream('new', [ev('New', 1), ev('New', 2)]);
      expect(await verifyChain(store)).toMatchObject({ ok: true, unchained: 3, checked: 2 });
      // what an older process would write: a row without digests
      await client.query(`INSERT INTO zt_events (stream_name, stream_version, event_id, type, data, metadata, recorded_at) VALUES ('old', 4, $1, 'Old', '{}', '{}', now())`, [randomUUID()]);
      await client.query(`UPDATE zt_chain_head SET position = 6`);
      expect((await verifyChain(store)).failure).toMatchObject({ position: 6, kind: 'changed', detail: 'its chain digests were removed' });
    } finally {
      await store.close();
      await client.end();
    }
  });
});

describe('the link digest', () => {
  const a = sha256Hex('a');
  const b = sha256Hex('b');

  it('is SHA-256 over the 64 bytes of the two digests', () => {
    expect(linkDigest(a, b)).toBe(createHash('sha256').update(Buffer.from(a + b, 'hex')).digest('hex'));
    expect(linkDigest(a, b)).not.toBe(linkDigest(b, a));
  });

  it('over an edited digest (not hex, or too long) hashes what the text holds, never bytes left from the link before', () => {
    const before = linkDigest(a, b);
    for (const edited of ['zz' + b.slice(2), b + '00', b.slice(0, 62), '']) {
      const link = linkDigest(a, edited);
      expect(link).toBe(createHash('sha256').update(Buffer.from(a + edited, 'hex')).digest('hex'));
      expect(link).not.toBe(before);
    }
  });
});
