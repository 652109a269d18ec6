/**
 * How `zerotouch admin` prints: one JSON document with `--json`; otherwise a table with
 * aligned columns (or `name  value` lines for one record), times in the local time zone.
 */
export interface Output {
  readonly json: boolean;
  write(text: string): void;
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;
const pad = (n: number): string => String(n).padStart(2, '0');

/** an RFC 3339 time as `2026-03-01 10:00:00 +01:00` in the local time zone */
export const localTime = (iso: string): string => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
};

/** a value as a table cell */
export const cell = (value: unknown): string => {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return TIME.test(value) ? localTime(value) : value.replace(/[\u0000-\u001f\u007f]/g, ' ');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
};

/** rows as a table with a header, columns aligned; the columns are the given ones, else every key of the rows */
export const table = (rows: readonly Record<string, unknown>[], columns?: readonly string[]): string => {
  const keys = columns ?? [...new Set(rows.flatMap((row) => Object.keys(row)))];
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((row) => keys.map((key) => cell(row[key])));
  const widths = keys.map((key, i) => Math.max(key.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: readonly string[]): string => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[line(keys), ...cells.map(line)].join('\n')}\n`;
};

/** one record as aligned `name  value` lines */
export const record = (value: Record<string, unknown>): string => {
  const keys = Object.keys(value);
  const width = Math.max(0, ...keys.map((k) => k.length));
  return `${keys.map((k) => `${k.padEnd(width)}  ${cell(value[k])}`).join('\n')}\n`;
};

/** print a result: JSON as it came, or a table of a list, or a record */
export const show = (out: Output, value: unknown, columns?: readonly string[]): void => {
  if (out.json) {
    out.write(`${JSON.stringify(value ?? null, null, 2)}\n`);
    return;
  }
  if (Array.isArray(value)) out.write(table(value as Record<string, unknown>[], columns));
  else if (typeof value === 'object' && value !== null) out.write(record(value as Record<string, unknown>));
  else if (value !== undefined) out.write(`${String(value)}\n`);
};

/** a done message (nothing in JSON mode but `{ok: true, …}`) */
export const done = (out: Output, message: string, json: Record<string, unknown> = {}): void => {
  out.write(out.json ? `${JSON.stringify({ ok: true, ...json })}\n` : `${message}\n`);
};
