/**
 * `zerotouch audit verify [--from POSITION] [--checkpoint FILE] [--json]`: recompute the
 * hash chain and print the first position that does not match (exit 1), or what was
 * checked (exit 0). `zerotouch audit checkpoint [--json]`: verify, then print the chain's
 * head signed with the installation's Ed25519 key (ZT_AUDIT_KEY, made on first use and
 * kept in the data dir).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Clock } from '../../application/ports/clock';
import { auditKeyFromSeed, publicKeyOf, readCheckpoint, signCheckpoint, type Checkpoint } from '../../application/audit/checkpoint';
import { verifyChain, type VerifyReport } from '../../application/audit/verify-chain';
import { ConfigError, loadConfig, rememberSecret, storedSecret } from '../config';
import { openStorage } from '../server/storage';
import { progressBar } from './progress';
import { UsageError } from './usage-error';

export interface AuditCommandOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly out?: NodeJS.WritableStream;
  /** where the progress bar goes */
  readonly err?: NodeJS.WriteStream;
  readonly clock?: Clock;
}

const AUDIT_KEY = 'auditKey';

/** the installation's audit key: ZT_AUDIT_KEY, else the one kept in the data dir (made when `create`) */
function auditSeed(env: NodeJS.ProcessEnv, dataDir: string, create: boolean): string | undefined {
  const seed = env['ZT_AUDIT_KEY'] || (create ? rememberSecret(dataDir, AUDIT_KEY, () => randomBytes(32).toString('base64')) : storedSecret(dataDir, AUDIT_KEY));
  if (seed === undefined) return undefined;
  try {
    auditKeyFromSeed(seed);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  return seed;
}

function describeReport(report: VerifyReport, store: string): string[] {
  if (!report.chained) return [`${store} keeps no hash chain: nothing could be verified (docs/stores.md)`];
  const head = report.head!;
  const lines: string[] = [];
  if (report.failure) {
    const f = report.failure;
    lines.push(`position ${f.position}: ${f.kind}: ${f.detail}`);
    lines.push(`verification stopped there; ${report.checked} entries before it matched`);
    return lines;
  }
  lines.push(
    `chain verified: ${report.checked} entries up to position ${head.position} match (${report.deleted} deleted, ${report.purged} purged), head digest ${head.digest}`,
  );
  if (report.seededAt !== undefined) lines.push(`began at position ${report.seededAt}, whose digest was taken as ${report.anchorMatched ? 'signed by the checkpoint' : 'stored'}`);
  else if (report.anchorMatched) lines.push('the checkpoint matches: history up to it is unchanged');
  if (report.unchained > 0) lines.push(`${report.unchained} events up to position ${head.startPosition} were written before the chain began and are not covered`);
  return lines;
}

async function withStore<T>(env: NodeJS.ProcessEnv, configFile: string | undefined, run: (storage: Awaited<ReturnType<typeof openStorage>>, dataDir: string) => Promise<T>): Promise<T> {
  const config = loadConfig(env, { configFile });
  const storage = await openStorage(config.store, config.dataDir);
  try {
    return await run(storage, config.dataDir);
  } finally {
    await storage.close();
  }
}

export async function auditVerifyCommand(argv: readonly string[], options: AuditCommandOptions = {}): Promise<number> {
  const { env = process.env, out = process.stdout, err = process.stderr } = options;
  const { values } = parseArgs({
    args: [...argv],
    options: { from: { type: 'string' }, checkpoint: { type: 'string' }, json: { type: 'boolean', default: false }, config: { type: 'string' } },
    strict: true,
  });
  let from: number | undefined;
  if (values.from !== undefined) {
    from = Number(values.from);
    if (!Number.isSafeInteger(from) || from < 1) throw new UsageError(`--from takes a position >= 1, got ${values.from}`);
  }
  let checkpoint: Checkpoint | undefined;
  if (values.checkpoint !== undefined) {
    let document: unknown;
    try {
      document = JSON.parse(readFileSync(values.checkpoint, 'utf8'));
    } catch (error) {
      throw new UsageError(`--checkpoint: cannot read ${values.checkpoint}: ${(error as Error).message}`);
    }
    const read = readCheckpoint(document);
    if (!read.ok) {
      out.write(`checkpoint ${values.checkpoint} is not valid: ${read.reason}\n`);
      return 1;
    }
    checkpoint = read.checkpoint;
  }
  return withStore(env, values.config, async (storage, dataDir) => {
    const bar = progressBar('audit verify', err);
    const report = await verifyChain(storage.events, {
      from,
      ...(checkpoint && { anchor: { position: checkpoint.position, digest: checkpoint.digest } }),
      onProgress: (position, head) => bar.update(position, head),
    });
    bar.finish();
    const seed = checkpoint && auditSeed(env, dataDir, false);
    const ownKey = seed === undefined ? undefined : publicKeyOf(auditKeyFromSeed(seed)) === checkpoint!.publicKey;
    if (values.json) {
      out.write(`${JSON.stringify({ store: storage.events.kind, ...report, ...(checkpoint && { checkpoint: { ...checkpoint, signedByThisInstallation: ownKey ?? null } }) })}\n`);
    } else {
      const lines = describeReport(report, storage.events.kind);
      if (checkpoint) {
        const who = ownKey === true ? "this installation's key" : ownKey === false ? `another key (${checkpoint.publicKey})` : `key ${checkpoint.publicKey}`;
        lines.unshift(`checkpoint of position ${checkpoint.position} at ${checkpoint.time}: signature valid, by ${who}`);
      }
      out.write(`${lines.join('\n')}\n`);
    }
    return report.ok ? 0 : 1;
  });
}

export async function auditCheckpointCommand(argv: readonly string[], options: AuditCommandOptions = {}): Promise<number> {
  const { env = process.env, out = process.stdout, err = process.stderr } = options;
  const now = options.clock ? () => options.clock!.now() : () => new Date();
  const { values } = parseArgs({ args: [...argv], options: { config: { type: 'string' } }, strict: true });
  return withStore(env, values.config, async (storage, dataDir) => {
    // sign only a chain that verifies: a checkpoint vouches for the history up to it
    const bar = progressBar('audit verify', err);
    const report = await verifyChain(storage.events, { onProgress: (position, head) => bar.update(position, head) });
    bar.finish();
    if (!report.ok) {
      err.write(`${describeReport(report, storage.events.kind).join('\n')}\nno checkpoint signed\n`);
      return 1;
    }
    const key = auditKeyFromSeed(auditSeed(env, dataDir, true)!);
    const checkpoint = signCheckpoint(key, report.head!.position, report.head!.digest, now().toISOString());
    out.write(`${JSON.stringify(checkpoint, null, 2)}\n`);
    return 0;
  });
}
