/**
 * Import users from CSV records (`id,name,email`, header optional). Every record is
 * decided on its own: a bad one is reported with its line number and the rest are still
 * imported; a user whose id exists already is skipped, so an import may be repeated.
 */
import * as E from 'fp-ts/Either';
import { latestPosition, type UsersDeps, settle } from './users-deps';
import { mapBounded } from './bounded';
import { parseNewUser, recordUser } from './create-user';

/** One record of the file with the line it starts on (1-based), or why it could not be read. */
export type CsvRow = { readonly line: number; readonly fields: readonly string[] } | { readonly line: number; readonly error: string };

export interface ImportReport {
  readonly created: number;
  readonly skipped: number;
  readonly errors: ReadonlyArray<{ readonly line: number; readonly detail: string }>;
}

const CONCURRENCY = 8;

const isHeader = (fields: readonly string[]): boolean => {
  const names = fields.map((f) => f.trim().toLowerCase());
  return names[0] === 'id' && names[1] === 'name' && (names.length === 2 || (names.length === 3 && names[2] === 'email'));
};

const isBlank = (fields: readonly string[]): boolean => fields.every((f) => f.trim() === '');

type Outcome = { readonly kind: 'created'; readonly position: number | undefined } | { readonly kind: 'skipped' } | { readonly kind: 'error'; readonly line: number; readonly detail: string };

export async function importUsers(deps: UsersDeps, rows: readonly CsvRow[]): Promise<ImportReport> {
  const records = rows.filter((r, i) => !('fields' in r && (isBlank(r.fields) || (i === 0 && isHeader(r.fields)))));
  const outcomes = await mapBounded(records, CONCURRENCY, async (record): Promise<Outcome> => {
    if ('error' in record) return { kind: 'error', line: record.line, detail: record.error };
    const { line, fields } = record;
    if (fields.length < 2 || fields.length > 3) {
      return { kind: 'error', line, detail: `expected 2 or 3 fields (id,name,email), got ${fields.length}` };
    }
    const parsed = parseNewUser({ id: fields[0]!, name: fields[1]!, email: fields[2] });
    if (E.isLeft(parsed)) return { kind: 'error', line, detail: parsed.left.detail };
    const recorded = await recordUser(deps, parsed.right);
    if (E.isRight(recorded)) return { kind: 'created', position: recorded.right };
    return recorded.left.code === 'conflict' ? { kind: 'skipped' } : { kind: 'error', line, detail: recorded.left.detail };
  });
  await settle(deps, latestPosition(outcomes.map((o) => (o.kind === 'created' ? o.position : undefined))));
  return {
    created: outcomes.filter((o) => o.kind === 'created').length,
    skipped: outcomes.filter((o) => o.kind === 'skipped').length,
    errors: outcomes.flatMap((o) => (o.kind === 'error' ? [{ line: o.line, detail: o.detail }] : [])),
  };
}
