/**
 * What the store benchmark's orchestrator (run.ts) and its child processes (child.ts)
 * share: the subjects, the work a child is given, what it answers, and the events every
 * subject writes (the same payload for all of them).
 */
import { join } from 'node:path';

export const BENCH_DIR = import.meta.dirname;
export const REPO_DIR = join(BENCH_DIR, '..', '..');
export const PEERS_DIR = join(REPO_DIR, 'bench', 'peers');
export const TMP_DIR = join(REPO_DIR, 'bench', '.tmp', 'store');

export type StoreKind = 'sqlite' | 'postgres';
export type Role = 'zerotouch' | 'raw' | 'emmett';

export interface SubjectInfo {
  readonly id: SubjectId;
  readonly store: StoreKind;
  readonly role: Role;
  /** column heading in the report */
  readonly label: string;
  /** the seeded data set its replay reads */
  readonly family: Family;
  /** the measurements it takes part in (default: all) */
  readonly only?: readonly MeasurementId[];
}

export type SubjectId = 'zerotouch-sqlite' | 'raw-sqlite' | 'raw-sqlite-grouped' | 'emmett-sqlite' | 'zerotouch-postgres' | 'raw-postgres' | 'emmett-postgres';
/** a seeded data set: raw drivers scan the zerotouch tables, Emmett its own */
export type Family = 'zt-sqlite' | 'emmett-sqlite' | 'zt-postgres' | 'emmett-postgres';

export const SUBJECTS: readonly SubjectInfo[] = [
  { id: 'zerotouch-sqlite', store: 'sqlite', role: 'zerotouch', label: 'zerotouch', family: 'zt-sqlite' },
  { id: 'raw-sqlite', store: 'sqlite', role: 'raw', label: 'raw better-sqlite3, one transaction per append (ceiling: 1 writer, batches, replay)', family: 'zt-sqlite' },
  {
    id: 'raw-sqlite-grouped',
    store: 'sqlite',
    role: 'raw',
    label: 'raw better-sqlite3, rows of one tick in one transaction (ceiling: 8 and 64 writers)',
    family: 'zt-sqlite',
    only: ['single-1', 'single-8', 'single-64'],
  },
  { id: 'emmett-sqlite', store: 'sqlite', role: 'emmett', label: 'Emmett SQLite 0.38.5 (peer)', family: 'emmett-sqlite' },
  { id: 'zerotouch-postgres', store: 'postgres', role: 'zerotouch', label: 'zerotouch', family: 'zt-postgres' },
  { id: 'raw-postgres', store: 'postgres', role: 'raw', label: 'raw pg (ceiling)', family: 'zt-postgres' },
  { id: 'emmett-postgres', store: 'postgres', role: 'emmett', label: 'Emmett PostgreSQL 0.42.0 (peer)', family: 'emmett-postgres' },
];

export const subjectInfo = (id: SubjectId): SubjectInfo => SUBJECTS.find((s) => s.id === id)!;

export type MeasurementId = 'single-1' | 'single-8' | 'single-64' | 'batch-100' | 'replay';
export const MEASUREMENTS: readonly MeasurementId[] = ['single-1', 'single-8', 'single-64', 'batch-100', 'replay'];

/** The work of one child process. */
export type ChildSpec =
  | {
      readonly kind: 'appends';
      readonly subject: SubjectId;
      /** concurrent writers, each appending single events to its own stream */
      readonly writers: number;
      /** events in all (the writers share the count) */
      readonly total: number;
      readonly capMs: number;
      /** PostgreSQL: a reader pages readAll meanwhile; its events must equal a final full read */
      readonly gapCheck: boolean;
    }
  | {
      readonly kind: 'batches';
      readonly subject: SubjectId;
      readonly batchSize: number;
      readonly total: number;
      readonly capMs: number;
    }
  | {
      readonly kind: 'seed';
      readonly family: Family;
      readonly events: number;
      /** SQLite file path or PostgreSQL URL of a fresh database */
      readonly target: string;
    }
  | {
      readonly kind: 'replay';
      readonly subject: SubjectId;
      readonly source: string;
      readonly expected: number;
      readonly capMs: number;
      readonly round: number;
    };

export interface GapCheck {
  /** events the concurrent reader collected */
  readonly collected: number;
  /** events of the final full read */
  readonly final: number;
  /** in the final read but never seen by the reader */
  readonly skipped: number;
  /** seen by the reader more than once, or not in the final read */
  readonly extra: number;
  /** collected and final are the same sequence */
  readonly equal: boolean;
}

export interface ChildResult {
  /** events that count: acknowledged and found stored (appends), or replayed */
  readonly events: number;
  readonly ms: number;
  /** events per second */
  readonly rate: number;
  /** the peak resident set of the child, MB (10^6 bytes) */
  readonly maxRssMB: number;
  /** appends the store acknowledged */
  readonly acknowledged?: number;
  /** events found stored afterwards */
  readonly stored?: number;
  /** appends refused or failed, by message */
  readonly failures?: Readonly<Record<string, number>>;
  /** the run stopped at its time cap before its count */
  readonly capped?: boolean;
  readonly gap?: GapCheck;
  /** events per type the projection counted (replay) */
  readonly counts?: Readonly<Record<string, number>>;
  readonly notes?: readonly string[];
}

export type ChildMessage =
  | { readonly kind: 'progress'; readonly text: string }
  | { readonly kind: 'result'; readonly result: ChildResult }
  | { readonly kind: 'error'; readonly message: string };

/** The event types of the workload; the replay projection counts per type. */
export const EVENT_TYPES = ['PhoneCheckedIn', 'ConfigServed', 'FirmwareReported', 'PhoneProvisioned'] as const;

export interface BenchEvent {
  readonly id: string;
  readonly type: string;
  readonly data: { [key: string]: string | number };
  readonly metadata: { [key: string]: string };
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/** A UUID-shaped id from (writer, seq): unique, and the same for every subject. */
export function eventId(writer: number, seq: number): string {
  const w = hex(writer, 8);
  const s = hex(seq, 12);
  return `${w}-0000-4000-8000-${s}`;
}

/** The event `seq` of writer `writer`: about 300 bytes of JSON, like a phone check-in. */
export function benchEvent(writer: number, seq: number): BenchEvent {
  const mac = `009033${hex(writer & 0xffffff, 6)}`;
  const id = eventId(writer, seq);
  return {
    id,
    type: EVENT_TYPES[seq % EVENT_TYPES.length]!,
    data: {
      mac,
      installation: `inst-${writer % 97}`,
      product: 'IP112',
      firmware: '13r3 sr12 [135123]',
      address: '192.0.2.17',
      seq,
      at: '2026-05-04T10:11:12.345Z',
    },
    metadata: { correlationId: `req-${id.slice(-12)}`, actor: `phone:${mac}` },
  };
}

export const streamOf = (writer: number): string => `phone-${writer}`;

export function errorKey(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string } | null;
  const text = `${e?.name ?? 'Error'}${e?.code ? ` ${e.code}` : ''}: ${String(e?.message ?? error)}`.replace(/\s+/g, ' ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
