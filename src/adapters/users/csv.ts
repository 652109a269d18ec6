/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF (LF and CR alone
 * are read too), a field holding a comma, a quote or a line break enclosed in double
 * quotes with its quotes doubled. Text is UTF-8; a leading byte order mark is skipped.
 */
import type { CsvRow } from '../../application/users/import-users';

const BOM = '\ufeff';

/**
 * The records of a CSV text, each with the line it starts on. A record that breaks the
 * format (a quote inside an unquoted field, text after a closing quote, a quoted field
 * never closed) becomes an error row; reading goes on with the next record.
 */
export function parseCsv(input: string): CsvRow[] {
  const text = input.startsWith(BOM) ? input.slice(1) : input;
  const rows: CsvRow[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: string[] = [];
    let error: string | undefined;
    let field = '';
    let ended = false;
    while (!ended) {
      if (text[i] === '"') {
        // a quoted field, up to the closing quote
        i++;
        let closed = false;
        while (i < text.length) {
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
          field += c;
          i++;
        }
        if (!closed) error ??= 'a quoted field is not closed';
        else if (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') error ??= 'text after the closing quote of a field';
      }
      // the rest of an unquoted field (or of a broken quoted one)
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') error ??= 'a quote inside a field that is not enclosed in quotes';
        field += text[i];
        i++;
      }
      fields.push(field);
      field = '';
      if (text[i] === ',') {
        i++;
        continue;
      }
      // end of the record: CRLF, LF, CR or the end of the text
      if (text[i] === '\r') i++;
      if (text[i] === '\n') i++;
      line++;
      ended = true;
    }
    rows.push(error === undefined ? { line: start, fields } : { line: start, error });
  }
  return rows;
}

const needsQuotes = /[",\r\n]/;

/** One field, quoted when it must be. */
export const csvField = (value: string): string => (needsQuotes.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/** Records as CSV text with CRLF line ends (and a trailing CRLF); `bom` puts a byte order mark first. */
export function formatCsv(records: ReadonlyArray<readonly string[]>, options: { readonly bom?: boolean } = {}): string {
  return `${options.bom ? BOM : ''}${records.map((r) => `${r.map(csvField).join(',')}\r\n`).join('')}`;
}
