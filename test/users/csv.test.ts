/** RFC 4180 reading and writing, as the import and the rollout CSV use it. */
import { describe, expect, it } from 'vitest';
import { formatCsv, parseCsv } from '../../src/adapters/users/csv';

describe('CSV', () => {
  it('writes CRLF records, quoting only fields that need it, quotes doubled', () => {
    expect(formatCsv([['a', 'b,c', 'say "hi"', 'two\nlines', 'Zoë 李', '']])).toBe('a,"b,c","say ""hi""","two\nlines",Zoë 李,\r\n');
    expect(formatCsv([['x']], { bom: true })).toBe('\ufeffx\r\n');
    expect(formatCsv([[' padded ', 'cr\ronly', '=1+2'], []])).toBe(' padded ,"cr\ronly",=1+2\r\n\r\n');
    expect(formatCsv([])).toBe('');
  });

  it('reads back what it writes', () => {
    const records = [
      ['user', 'name', 'code'],
      ['u1', 'Ærøskøbing, Åsa', '123456789012'],
      ['u2', 'Zoë "Z" Ōtsuka', ''],
      ['u3', 'line\r\nbreak', 'x'],
      ['', '', ''],
    ];
    expect(parseCsv(formatCsv(records, { bom: true })).map((r) => ('fields' in r ? r.fields : r.error))).toEqual(records);
  });

  it('numbers records by the line they start on, across quoted line breaks and any line end', () => {
    expect(parseCsv('a,"x\ny"\nb,1\r\nc,2\rd,3')).toEqual([
      { line: 1, fields: ['a', 'x\ny'] },
      { line: 3, fields: ['b', '1'] },
      { line: 4, fields: ['c', '2'] },
      { line: 5, fields: ['d', '3'] },
    ]);
    // a CRLF inside a quoted field is one line break, as outside
    expect(parseCsv('u1,"line\r\nbreak"\r\nu2,b\r\nu3,c"d\r\nu4,e\r\n')).toEqual([
      { line: 1, fields: ['u1', 'line\r\nbreak'] },
      { line: 3, fields: ['u2', 'b'] },
      { line: 4, error: 'a quote inside a field that is not enclosed in quotes' },
      { line: 5, fields: ['u4', 'e'] },
    ]);
  });

  it('reports a broken record and goes on with the next', () => {
    expect(parseCsv('ok,1\nbad"quote,2\n"closed"text,3\nfine,4\n"never closed,5\nlost,6\n')).toEqual([
      { line: 1, fields: ['ok', '1'] },
      { line: 2, error: 'a quote inside a field that is not enclosed in quotes' },
      { line: 3, error: 'text after the closing quote of a field' },
      { line: 4, fields: ['fine', '4'] },
      { line: 5, error: 'a quoted field is not closed' },
    ]);
  });

  it('keeps empty fields and a trailing comma', () => {
    expect(parseCsv('a,,\n,\n')).toEqual([
      { line: 1, fields: ['a', '', ''] },
      { line: 2, fields: ['', ''] },
    ]);
    expect(parseCsv('')).toEqual([]);
  });
});
