/**
 * The `store` section of docs/benchmarks.md: one table per store (events/s, median of the
 * rounds), the ratios the goals of issue 2 name, the replay's peak RSS, PASS/MISS per goal,
 * and every round with its failures underneath.
 */
import { table } from '../report';
import { MEASUREMENTS, SUBJECTS, type ChildResult, type MeasurementId, type StoreKind, type SubjectId, type SubjectInfo } from './shared';

export interface Plan {
  readonly single: Readonly<Record<1 | 8 | 64, number>>;
  readonly batch: number;
  readonly appendCapMs: number;
  readonly replayEvents: number;
  readonly replayCapMs: number;
  readonly rounds: number;
  readonly quick: boolean;
}

export interface Cell {
  rounds: ChildResult[];
  errors: string[];
  skipped: string | undefined;
}

interface ReportInput {
  readonly plan: Plan;
  readonly cells: ReadonlyMap<string, Cell>;
  readonly machine: string;
  readonly date: string;
  readonly revision: string;
  readonly subjects: readonly SubjectInfo[];
  readonly measurements: readonly MeasurementId[];
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const ratio = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '∞');

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function renderReport(input: ReportInput): string {
  const { plan, cells, measurements } = input;
  const get = (subject: SubjectId, m: MeasurementId): Cell | undefined => cells.get(`${subject}|${m}`);
  const med = (subject: SubjectId, m: MeasurementId): number | undefined => median(get(subject, m)?.rounds.map((r) => r.rate) ?? []);
  const footnotes: string[] = [];
  const note = (text: string): string => {
    let i = footnotes.indexOf(text);
    if (i < 0) {
      footnotes.push(text);
      i = footnotes.length - 1;
    }
    return `[${i + 1}]`;
  };

  const rowLabel = (m: MeasurementId): string => {
    switch (m) {
      case 'single-1':
        return 'single-event appends, 1 writer';
      case 'single-8':
        return 'single-event appends, 8 writers';
      case 'single-64':
        return 'single-event appends, 64 writers';
      case 'batch-100':
        return '100-event batch appends';
      case 'replay':
        return `replay of ${n(plan.replayEvents)} events into a projection`;
    }
  };

  const cellText = (s: SubjectInfo, m: MeasurementId): string => {
    const c = get(s.id, m);
    if (!c) return '–';
    if (c.skipped) return `not run ${note(`${s.label}: ${c.skipped}`)}`;
    const refs: string[] = [];
    const failures: Record<string, number> = {};
    for (const r of c.rounds) for (const [k, v] of Object.entries(r.failures ?? {})) failures[k] = (failures[k] ?? 0) + v;
    const capped = c.rounds.filter((r) => r.capped).length;
    const of = `${c.rounds.length + c.errors.length}`;
    for (const e of c.errors) refs.push(note(`${s.label}, ${rowLabel(m)}: a round failed: ${e.split('\n')[0]}`));
    if (Object.keys(failures).length > 0) {
      const acknowledged = c.rounds.reduce((a, r) => a + (r.acknowledged ?? 0), 0);
      const list = Object.entries(failures)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${n(v)} × \`${k.replace(/`/g, "'")}\``)
        .join('; ');
      refs.push(note(`${s.label}, ${rowLabel(m)} (${of} rounds, ${n(acknowledged)} events acknowledged in all): failed appends or errors: ${list}`));
    }
    const lost = c.rounds.map((r) => Math.max(0, (r.acknowledged ?? 0) - (r.stored ?? r.acknowledged ?? 0)));
    if (lost.some((x) => x > 0)) {
      refs.push(
        note(
          `${s.label}, ${rowLabel(m)}: events acknowledged but not stored: ${lost.map(n).join(', ')} (per round); the figure counts only events both acknowledged and stored`,
        ),
      );
    }
    const other = [...new Set(c.rounds.flatMap((r) => r.notes ?? []).filter((x) => !/acknowledged events not stored$/.test(x)))];
    if (other.length > 0) refs.push(note(`${s.label}, ${rowLabel(m)}: ${other.join('; ')}`));
    const value = med(s.id, m);
    return `${value === undefined ? 'failed' : n(value)}${capped > 0 ? ' ⏱' : ''}${refs.length ? ` ${refs.join('')}` : ''}`;
  };

  const storeTable = (store: StoreKind): string => {
    const subjects = input.subjects.filter((s) => s.store === store);
    if (subjects.length === 0) return '';
    const rows: string[][] = measurements.map((m) => [rowLabel(m), ...subjects.map((s) => cellText(s, m))]);
    if (measurements.includes('replay')) {
      rows.push([
        'peak RSS of the replay process, MB (highest round)',
        ...subjects.map((s) => {
          const rss = get(s.id, 'replay')?.rounds.map((r) => r.maxRssMB) ?? [];
          return rss.length ? String(Math.max(...rss)) : '–';
        }),
      ]);
    }
    if (store === 'postgres' && measurements.some((m) => m.startsWith('single-'))) {
      rows.push([
        'reader paging the global order during the single-append runs',
        ...subjects.map((s) => {
          const checks = measurements
            .filter((m) => m.startsWith('single-'))
            .flatMap((m) => get(s.id, m)?.rounds.flatMap((r) => (r.gap ? [r.gap] : [])) ?? []);
          if (checks.length === 0) return '–';
          const bad = checks.filter((g) => !g.equal);
          if (bad.length === 0) return `no gaps (${checks.length} runs, ${n(checks.reduce((a, g) => a + g.final, 0))} events)`;
          const skipped = bad.reduce((a, g) => a + g.skipped, 0);
          const extra = bad.reduce((a, g) => a + g.extra, 0);
          return `**gaps in ${bad.length} of ${checks.length} runs**: ${n(skipped)} events skipped${extra ? `, ${n(extra)} extra` : ''}`;
        }),
      ]);
    }
    const title = store === 'sqlite' ? '### SQLite' : '### PostgreSQL';
    return `${title}\n\n${table(['events/s (median)', ...subjects.map((s) => s.label)], rows)}`;
  };

  // ---- goals ----
  const goals: string[][] = [];
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? '**PASS**' : '**MISS**');
  const has = (id: SubjectId): boolean => input.subjects.some((s) => s.id === id);
  if (has('zerotouch-sqlite') && measurements.includes('single-64')) {
    const zt = med('zerotouch-sqlite', 'single-64');
    const em = med('emmett-sqlite', 'single-64');
    const vsEmmett = zt !== undefined && em !== undefined ? (em === 0 ? Infinity : zt / em) : undefined;
    // the ceiling of many writers: the raw driver writing the same rows, the appends of one
    // event-loop turn in one transaction (a transaction per event is not what a store would do)
    const grouped = med('raw-sqlite-grouped', 'single-64');
    const vsGrouped = zt !== undefined && grouped ? zt / grouped : undefined;
    const batched = med('raw-sqlite', 'batch-100');
    const perEvent = med('raw-sqlite', 'single-64');
    const also = [
      batched ? `the raw driver’s 100-event batches to one stream: ${n(batched)} events/s` : '',
      perEvent ? `one transaction per event: ${n(perEvent)} events/s` : '',
    ].filter((x) => x.length > 0);
    goals.push([
      'SQLite, 64 concurrent single-event appenders: ≥ 50 % of the raw driver writing the same rows, one transaction per event-loop turn',
      vsGrouped === undefined
        ? 'not measured'
        : `${n(zt!)} vs ${n(grouped!)} events/s = ${(vsGrouped * 100).toFixed(0)} %${also.length ? ` (for reference, ${also.join('; ')})` : ''}`,
      verdict(vsGrouped === undefined ? undefined : vsGrouped >= 0.5),
    ]);
    const emStored = get('emmett-sqlite', 'single-64')?.rounds.reduce((a, r) => a + (r.stored ?? 0), 0);
    goals.push([
      'SQLite, 64 concurrent single-event appenders: ≥ 3× Emmett’s SQLite store',
      vsEmmett === undefined
        ? 'not measured'
        : `${n(zt!)} vs ${n(em!)} events/s = ${ratio(vsEmmett)}${emStored === 0 ? ' (Emmett stored none of its acknowledged appends in any round)' : ''}`,
      verdict(vsEmmett === undefined ? undefined : vsEmmett >= 3),
    ]);
  }
  if (has('zerotouch-sqlite') && measurements.includes('replay')) {
    const zt = med('zerotouch-sqlite', 'replay');
    const raw = med('raw-sqlite', 'replay');
    const r = zt !== undefined && raw ? zt / raw : undefined;
    const full = plan.replayEvents >= 1_000_000;
    goals.push([
      `Replay of 1,000,000 events from SQLite into a projection: ≥ 50 % of the raw driver’s fastest read (pages of \`.raw().all()\` + JSON.parse)${full ? '' : ` (this run: ${n(plan.replayEvents)} events)`}`,
      r === undefined ? 'not measured' : `${n(zt!)} vs ${n(raw!)} events/s = ${(r * 100).toFixed(0)} %`,
      full ? verdict(r === undefined ? undefined : r >= 0.5) : 'n/a (not a full run)',
    ]);
  }
  if (has('zerotouch-postgres')) {
    const appendMs = measurements.filter((m) => m !== 'replay');
    const parts: string[] = [];
    let ok: boolean | undefined = appendMs.length > 0 ? true : undefined;
    for (const m of appendMs) {
      const zt = med('zerotouch-postgres', m);
      const em = med('emmett-postgres', m);
      if (zt === undefined || em === undefined) {
        ok = undefined;
        parts.push(`${m}: not measured`);
        continue;
      }
      parts.push(`${m}: ${ratio(em === 0 ? Infinity : zt / em)}`);
      if (!(zt > em)) ok = false;
    }
    const checks = appendMs
      .filter((m) => m.startsWith('single-'))
      .flatMap((m) => get('zerotouch-postgres', m)?.rounds.flatMap((r) => (r.gap ? [r.gap] : [])) ?? []);
    const gapsOk = checks.length > 0 && checks.every((g) => g.equal);
    parts.push(checks.length === 0 ? 'gap check: not run' : gapsOk ? `no gaps in ${checks.length} runs` : 'GAPS found');
    goals.push([
      'PostgreSQL: faster than Emmett’s PostgreSQL store on the same appends, with no gaps',
      `zerotouch ÷ Emmett: ${parts.join('; ')}`,
      verdict(ok === undefined || checks.length === 0 ? undefined : ok && gapsOk),
    ]);
  }
  if (measurements.includes('replay')) {
    const rss = (['zerotouch-sqlite', 'zerotouch-postgres'] as const)
      .filter(has)
      .map((id) => [id, Math.max(...(get(id, 'replay')?.rounds.map((r) => r.maxRssMB) ?? [NaN]))] as const);
    const measured = rss.filter(([, v]) => Number.isFinite(v));
    const full = plan.replayEvents >= 1_000_000;
    goals.push([
      `Memory: replaying 1,000,000 events keeps the process under 200 MB RSS${full ? '' : ` (this run: ${n(plan.replayEvents)} events)`}`,
      measured.length ? measured.map(([id, v]) => `${id}: ${v} MB`).join('; ') : 'not measured',
      full ? verdict(measured.length ? measured.every(([, v]) => v < 200) : undefined) : 'n/a (not a full run)',
    ]);
  }

  // ---- every round ----
  const detailRows: string[][] = [];
  for (const s of input.subjects) {
    for (const m of measurements) {
      const c = get(s.id, m);
      if (!c || c.skipped) continue;
      const rates = c.rounds.map((r) => n(r.rate));
      const rss = c.rounds.map((r) => String(r.maxRssMB));
      const stored = c.rounds.map((r) => (r.acknowledged === undefined ? n(r.events) : `${n(r.acknowledged)}/${n(r.stored ?? 0)}`));
      detailRows.push([s.id, m, [...rates, ...c.errors.map(() => 'failed')].join(' · '), stored.join(' · '), rss.join(' · ')]);
    }
  }

  const perWriter = `${n(plan.single[1])}, ${n(plan.single[8])} and ${n(plan.single[64])}`;
  const capNote = `⏱: the run reached its time cap (${plan.appendCapMs / 1000} s for appends, ${plan.replayCapMs / 1000} s for replays) before its count in at least one round; the rate is over what it did (events per round in the last table).`;
  const partial =
    input.subjects.length < SUBJECTS.length || measurements.length < MEASUREMENTS.length
      ? ` **Partial run: ${measurements.join(', ')} of ${[...new Set(input.subjects.map((s) => s.store))].join(' and ')} only${
          plan.rounds < 3 ? `, ${plan.rounds} round${plan.rounds > 1 ? 's' : ''}` : ''
        }; the other rows were not measured in this run.**`
      : '';
  const method = [
    `Measured ${input.date} on ${input.machine}; revision ${input.revision}.${plan.quick ? ' **Quick run: smaller counts, one round; not the figures of record.**' : partial}`,
    '',
    `Every figure is events per second, the median of ${plan.rounds} round${plan.rounds > 1 ? 's' : ''}. Each round of each`,
    'measurement runs in a child process of its own, on a fresh temp SQLite file or a fresh',
    'PostgreSQL database, and the rounds of the subjects are interleaved, so the noise of this',
    'shared machine falls on all of them alike: compare within a table, not across runs.',
    '',
    `- **Single-event appends**: 1, 8 or 64 concurrent writers, each appending one event at a time`,
    `  to a stream of its own with the expected version it knows (Emmett: \`expectedStreamVersion\`),`,
    `  ${perWriter} events in all, stopped at ${plan.appendCapMs / 1000} s. After each run the stored events are`,
    '  counted: the figure counts only events that were both acknowledged and stored.',
    `- **100-event batch appends**: one writer, each batch to a new stream, ${n(plan.batch)} events, stopped at ${plan.appendCapMs / 1000} s.`,
    `- **Replay**: ${n(plan.replayEvents)} events (10,000 streams of 100) seeded beforehand, not measured.`,
    '  zerotouch: `ProjectionRunner.rebuild` of a projection counting events per type into read-model',
    '  documents (one per type) of the SQLite or PostgreSQL `ReadModelStore`, batches of 500 (the',
    '  runner’s default), checkpoint committed with every batch. Raw: keyset pages of 1,000 rows',
    '  through better-sqlite3’s `stmt.raw().all()` with `JSON.parse` of data and metadata (pg: keyset',
    '  pages of 10,000, parsed by the driver). Emmett: its consumer from the beginning with a processor (SQLite) or reactor',
    '  (PostgreSQL) counting per type, batches of 500, no pause between full batches.',
    '- **Raw drivers**: the same rows into the same table (and its WAL checkpoints from a worker thread), nothing else: better-sqlite3',
    '  one `BEGIN IMMEDIATE` transaction per event for single appends (the driver is synchronous, so',
    '  its “concurrent” writers take turns) and one transaction of 100 inserts per batch; pg one',
    '  `INSERT` per event on a pool of 10, one `INSERT … SELECT FROM unnest()` per batch.',
    '- **The ceiling of each row, and why.** Many writers (8 and 64, SQLite): the raw driver writing',
    '  the same rows with the appends of one event-loop turn in one transaction (`raw-sqlite-grouped`),',
    '  since that is the fastest a store can commit many writers’ single appends, each acknowledged',
    '  once durable; one transaction per event (`raw-sqlite`) is what a naive store does, not a',
    '  ceiling, and a 100-event batch to one stream writes a different shape of data (one index page',
    '  per ten events instead of one per event). One writer and the batches: the raw driver’s own',
    '  transaction per append, the same unit of work. Replay: the driver’s fastest read of the same',
    '  rows, keyset pages of `.raw()` rows (faster than row objects, `.iterate()` or one `.all()` of',
    '  the table; figures in `bench/store/sqlite-subjects.ts`), with the same `JSON.parse`. PostgreSQL:',
    '  pg on the same pool size and table, one `INSERT` per append (each a transaction, committed as',
    '  the store commits it), one `unnest` insert per batch, keyset pages for the replay.',
    '- **Emmett (the peer)**: one `getSQLiteEventStore` per writer on the same file, as its',
    '  documentation sets a store up (a store holds one connection and its transaction state for',
    '  the calls made on it); `getPostgreSQLEventStore` once, on its own pool of 10.',
    '- **PostgreSQL**: every subject writes through a pool of 10 connections. During every',
    '  single-append run a reader on its own connection pages the global order (1,000 at a time, as a',
    '  subscriber would); after the writers stop it reads to the end, and what it collected must equal',
    '  a final full read exactly.',
    '- Peers: `@event-driven-io/emmett-sqlite@0.38.5` (`sqlite3@5.1.7`) and',
    '  `@event-driven-io/emmett-postgresql@0.42.0` (`@event-driven-io/pongo@0.16.11`), installed under',
    '  `bench/peers/`. How each subject works: `bench/store/README.md`.',
  ].join('\n');

  // what the code of the subjects explains about the figures above (read in the installed packages)
  const why: string[] = [];
  const zt64 = med('zerotouch-sqlite', 'single-64');
  const rawBatch = med('raw-sqlite', 'batch-100');
  const grouped64 = med('raw-sqlite-grouped', 'single-64');
  if (zt64 !== undefined && grouped64) {
    why.push(
      `SQLite, 64 writers: the ceiling is the raw driver writing the very same rows, grouped as the store groups them and without any check: ${n(grouped64)} events/s, zerotouch ${n(zt64)} (${((zt64 / grouped64) * 100).toFixed(0)} %); the gap is the store’s own work (version checks, a savepoint per append, JSON checks, answering each caller). ${rawBatch ? `The 100-event batches (${n(rawBatch)} events/s) are not that ceiling:` : 'The 100-event batches are not that ceiling:'} the 64 writers append to 64 streams, so every commit dirties a leaf page of the per-stream index \`(stream_name, stream_version)\` for each stream in it, about one 4 KiB page written to the WAL per event, where a 100-event batch to one stream writes about one page per ten events.`,
    );
  }
  const failed = (id: SubjectId): boolean =>
    measurements.some((m) => (get(id, m)?.rounds ?? []).some((r) => Object.keys(r.failures ?? {}).length > 0 || (r.notes ?? []).length > 0));
  const gapsOf = (id: SubjectId): boolean =>
    measurements.some((m) => (get(id, m)?.rounds ?? []).some((r) => r.gap !== undefined && !r.gap.equal));
  if (failed('emmett-sqlite')) {
    why.push(
      'Emmett SQLite 0.38.5 opens a sqlite3 connection per call of a store (`PRAGMA journal_mode = WAL`, then `BEGIN IMMEDIATE TRANSACTION` for an append) and sets no busy timeout. With one store per writer, as here, every writer has a connection of its own, and while one holds the write lock the others get `SQLITE_BUSY: database is locked` at once instead of waiting (and its rollback after the failed `BEGIN` fails again: “cannot rollback - no transaction is active”): with many writers almost every append fails. One store shared by the writers (measured before 2026-12-06) fails otherwise: the store shares its connection and transaction nesting counter among concurrent calls and closes it at the end of each, so one call commits, rolls back or closes the connection under another (“Database is closed”, appends acknowledged but never stored). Even one writer gets `SQLITE_BUSY` now and then (the previous call’s close is not awaited).',
    );
  }
  if (get('emmett-postgres', 'replay')?.rounds.length) {
    why.push(
      'Emmett PostgreSQL 0.42.0 reads batches with `WHERE transaction_id < pg_snapshot_xmin(…) AND global_position >= $after ORDER BY transaction_id, global_position LIMIT n`, and its messages table has no index for that order, so every batch sorts what is left of the table; its reactor also stores its checkpoint once per message. Replays of large tables are slow for both reasons.',
    );
  }
  if (gapsOf('emmett-postgres')) {
    why.push(
      'Emmett PostgreSQL’s batch read orders by transaction id but continues after the last *position* it returned: a batch may end below positions it already returned (they come again: “extra”), and an event with a lower position but a higher transaction id than the batch’s last one is passed over for good (“skipped”).',
    );
  }
  if (gapsOf('raw-postgres')) {
    why.push(
      'The raw pg inserts take positions from a sequence at insert time, visible at commit: a reader paging by position passes over, for good, an event whose transaction commits after one with a higher position. This is the trap the zerotouch store avoids by taking an advisory lock before drawing positions.',
    );
  }

  const sections = [
    `## Event store (\`npm run bench:store\`)`,
    method,
    storeTable('sqlite'),
    storeTable('postgres'),
    capNote,
    '### Goals (issue 2)',
    table(['goal', 'measured', 'result'], goals),
    footnotes.length ? `### Notes\n\n${footnotes.map((f, i) => `${i + 1}. ${f}`).join('\n')}` : '',
    why.length ? `### Why\n\n${why.map((w) => `- ${w}`).join('\n')}` : '',
    `<details><summary>Every round (events/s; acknowledged/stored events; peak RSS MB)</summary>\n\n${table(
      ['subject', 'measurement', 'events/s per round', 'acknowledged/stored', 'peak RSS MB'],
      detailRows,
    )}\n\n</details>`,
  ];
  return sections.filter((x) => x.length > 0).join('\n\n');
}

