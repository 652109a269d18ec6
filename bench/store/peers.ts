/**
 * Emmett's event stores, the benchmark's peers. The two need different Emmett versions, so
 * each has its own package.json and lock file under bench/peers/ and is installed there by
 * the benchmark (never by the product's `npm ci`). The children load them from there; the
 * types below are the subset of the installed `.d.ts` files the benchmark uses.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PEERS_DIR } from './shared';

export type PeerName = 'emmett-sqlite' | 'emmett-postgresql';

export const peerDir = (peer: PeerName): string => join(PEERS_DIR, peer);

const MARKER: Record<PeerName, string> = {
  'emmett-sqlite': join('node_modules', '@event-driven-io', 'emmett-sqlite', 'package.json'),
  'emmett-postgresql': join('node_modules', '@event-driven-io', 'emmett-postgresql', 'package.json'),
};

/** Install a peer with `npm ci` when its node_modules is missing; answers an error text or undefined. */
export async function ensurePeer(peer: PeerName, logFile: string, say: (text: string) => void): Promise<string | undefined> {
  const dir = peerDir(peer);
  if (existsSync(join(dir, MARKER[peer]))) return undefined;
  say(`installing ${peer} in ${dir} (npm ci${peer === 'emmett-sqlite' ? '; sqlite3 compiles from source, 2-3 minutes' : ''}); log: ${logFile}`);
  mkdirSync(join(logFile, '..'), { recursive: true });
  const log = createWriteStream(logFile);
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('error', () => resolve(-1));
    child.on('close', resolve);
  });
  log.end();
  if (code !== 0 || !existsSync(join(dir, MARKER[peer]))) return `npm ci in bench/peers/${peer} failed (exit ${code}); see ${logFile}`;
  return undefined;
}

const peerRequire = (peer: PeerName): NodeRequire => createRequire(join(peerDir(peer), 'package.json'));

// ---- Emmett (core) --------------------------------------------------------------------

export interface EmmettEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata?: Record<string, unknown>;
}

export interface EmmettRecordedMessage {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: { readonly globalPosition: bigint; readonly messageId: string; readonly streamName: string; readonly streamPosition: bigint };
}

export interface EmmettAppendOptions {
  expectedStreamVersion?: bigint | 'STREAM_EXISTS' | 'STREAM_DOES_NOT_EXIST' | 'NO_CONCURRENCY_CHECK';
}

export interface EmmettAppendResult {
  readonly nextExpectedStreamVersion: bigint;
  readonly lastEventGlobalPosition: bigint;
}

export interface EmmettReadStreamResult {
  readonly currentStreamVersion: bigint;
  readonly streamExists: boolean;
}

type StopResult = { type: 'STOP'; reason?: string } | undefined | void;

// ---- Emmett SQLite 0.38.5 ---------------------------------------------------------------

export interface EmmettSqliteProcessorOptions {
  processorId: string;
  startFrom?: 'BEGINNING' | 'END' | 'CURRENT';
  stopAfter?: (message: EmmettRecordedMessage) => boolean;
  eachMessage: (message: EmmettRecordedMessage) => StopResult | Promise<StopResult>;
}

export interface EmmettSqliteConsumer {
  processor(options: EmmettSqliteProcessorOptions): unknown;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface EmmettSqliteEventStore {
  appendToStream(streamName: string, events: EmmettEvent[], options?: EmmettAppendOptions): Promise<EmmettAppendResult>;
  readStream(streamName: string): Promise<EmmettReadStreamResult>;
  consumer(options?: { pulling?: { batchSize?: number; pullingFrequencyInMs?: number } }): EmmettSqliteConsumer;
}

export interface EmmettSqliteModule {
  getSQLiteEventStore(options: { fileName: string }): EmmettSqliteEventStore;
}

export function loadEmmettSqlite(): EmmettSqliteModule {
  return peerRequire('emmett-sqlite')('@event-driven-io/emmett-sqlite') as EmmettSqliteModule;
}

// ---- Emmett PostgreSQL 0.42.0 -----------------------------------------------------------

export interface DumboPool {
  readonly execute: unknown;
  close(): Promise<void>;
}

export interface EmmettPostgresConsumer {
  reactor(options: {
    processorId: string;
    startFrom?: 'BEGINNING' | 'END' | 'CURRENT';
    eachMessage: (message: EmmettRecordedMessage) => StopResult | Promise<StopResult>;
  }): unknown;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

export interface EmmettPostgresEventStore {
  appendToStream(streamName: string, events: EmmettEvent[], options?: EmmettAppendOptions): Promise<EmmettAppendResult>;
  readStream(streamName: string): Promise<EmmettReadStreamResult>;
  consumer(options?: {
    stopWhen?: { noMessagesLeft?: boolean };
    pulling?: { batchSize?: number; pullingFrequencyInMs?: number };
  }): EmmettPostgresConsumer;
  schema: { migrate(): Promise<unknown> };
  close(): Promise<void>;
}

export interface EmmettPostgresModule {
  getPostgreSQLEventStore(connectionString: string): EmmettPostgresEventStore;
  readMessagesBatch(
    execute: unknown,
    options: { after: bigint; batchSize: number },
  ): Promise<{ currentGlobalPosition: bigint; messages: EmmettRecordedMessage[]; areMessagesLeft: boolean }>;
}

export interface DumboModule {
  dumbo(options: { connectionString: string }): DumboPool;
}

export function loadEmmettPostgres(): { emmett: EmmettPostgresModule; dumbo: DumboModule } {
  const load = peerRequire('emmett-postgresql');
  return {
    emmett: load('@event-driven-io/emmett-postgresql') as EmmettPostgresModule,
    dumbo: load('@event-driven-io/dumbo') as DumboModule,
  };
}

/** The peer's own node-postgres (its type parsers are its own). */
export function loadPeerPg(): typeof import('pg').default {
  return peerRequire('emmett-postgresql')('pg') as typeof import('pg').default;
}
