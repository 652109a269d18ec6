/**
 * `npm run bench:audit [-- --events N]`: how fast `audit verify` recomputes the hash chain of
 * a SQLite store. Fills a fresh file with N events (default 200,000; one in five with a
 * personal part, a fifth of those purged, a few streams deleted), then verifies it three
 * times, in process and through the real CLI, and prints events per second beside the
 * ceiling: the same rows read with the driver's fastest paged read (`.raw().all()`) and the
 * same two SHA-256 per event (content and link), with no checks and no findings.
 * It runs with the V8 settings the `zerotouch audit` launcher gives (bin/node-flags.mjs).
 */
import Database from 'better-sqlite3';
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { auditNodeFlags } from '../../bin/node-flags.mjs';
import { SqliteEventStore } from '../../src/adapters/eventstore/sqlite';
import { GENESIS_DIGEST, canonicalContent, linkDigest, sha256Hex } from '../../src/application/audit/chain-format';
import { verifyChain } from '../../src/application/audit/verify-chain';
import { tempDir } from '../../test/support/temp-dir';

if (!auditNodeFlags().every((flag) => process.execArgv.includes(flag))) {
  // again, with the settings `zerotouch audit` runs with
  const again = spawnSync(process.execPath, [...auditNodeFlags(), ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(again.status ?? 1);
}

const { values } = parseArgs({ options: { events: { type: 'string', default: '200000' } } });
const total = Number(values.events);
const dir = tempDir('zt-bench-audit-');
const file = join(dir.path, 'zerotouch.db');

try {
  const store = SqliteEventStore.open(file);
  const started = performance.now();
  for (let i = 0; i < total; i += 1000) {
    await Promise.all(
      Array.from({ length: Math.min(1000, total - i) }, (_, j) => {
        const n = i + j;
        return store.appendToStream(`device-${(n % 5000).toString(16).padStart(12, '0')}`, [
          {
            id: randomUUID(),
            type: n % 5 === 0 ? 'CodeRequested' : 'PhoneCheckedIn',
            data: { mac: `009033${(n % 5000).toString(16).padStart(6, '0')}`, firmware: '13r1 sr1', at: new Date(1_700_000_000_000 + n * 1000).toISOString(), n },
            ...(n % 5 === 0 && { personal: { code: String(100_000_000_000 + n) } }),
            metadata: { actor: 'system', correlationId: randomUUID() },
          },
        ]);
      }),
    );
  }
  for (let s = 0; s < 1000; s += 5) await store.purgePersonalData(`device-${s.toString(16).padStart(12, '0')}`);
  for (let s = 1; s < 50; s += 7) await store.deleteStream(`device-${s.toString(16).padStart(12, '0')}`);
  const filled = performance.now() - started;
  process.stdout.write(`filled ${total} events in ${(filled / 1000).toFixed(1)} s (${Math.round(total / (filled / 1000))} appends/s)\n`);
  for (let round = 1; round <= 3; round++) {
    const t = performance.now();
    const report = await verifyChain(store);
    const s = (performance.now() - t) / 1000;
    if (!report.ok) throw new Error(`verify failed: ${JSON.stringify(report.failure)}`);
    process.stdout.write(`in process, round ${round}: ${report.checked} entries (${report.deleted} deleted, ${report.purged} purged) in ${s.toFixed(2)} s = ${Math.round(report.checked / s)} events/s\n`);
  }
  await store.close();
  for (let round = 1; round <= 3; round++) {
    const t = performance.now();
    const rows = rawCeiling(file);
    const s = (performance.now() - t) / 1000;
    process.stdout.write(`ceiling (raw paged read, two SHA-256 per event), round ${round}: ${rows} rows in ${s.toFixed(2)} s = ${Math.round(rows / s)} events/s\n`);
  }
  const t = performance.now();
  const { stdout } = await promisify(execFile)(process.execPath, ['bin/zerotouch.mjs', 'audit', 'verify'], {
    env: { ...process.env, ZT_DATA_DIR: dir.path, ZT_STORE: `sqlite:${file}` },
  });
  process.stdout.write(`the CLI (process start included): ${((performance.now() - t) / 1000).toFixed(2)} s: ${stdout}`);
  process.stdout.write(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}\n`);
} finally {
  dir.remove();
}

/** the same rows and digests as verify (the chain format's own functions), nothing else: the fastest raw form of the work */
function rawCeiling(path: string): number {
  const db = new Database(path, { readonly: true });
  const page = db
    .prepare<[number], [number, string | null, string, string, number, string, string, string, string, string, string | null]>(
      `SELECT global_position, chain_digest, stream_name, event_id, stream_version, type, recorded_at, data, metadata, personal, personal_digest
         FROM zt_events WHERE global_position > ? ORDER BY global_position LIMIT 10000`,
    )
    .raw(true);
  let rows = 0;
  let after = 0;
  let link = GENESIS_DIGEST;
  for (;;) {
    const batch = page.all(after);
    if (batch.length === 0) break;
    for (const r of batch) {
      const content = sha256Hex(
        canonicalContent({ position: r[0], streamName: r[2], streamVersion: r[4], id: r[3], type: r[5], recordedAt: r[6], data: r[7], metadata: r[8], personalDigest: r[10] }),
      );
      link = linkDigest(link, content);
    }
    rows += batch.length;
    after = batch[batch.length - 1]![0];
  }
  db.close();
  return rows;
}
