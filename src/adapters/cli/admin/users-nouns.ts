/** `zerotouch admin` nouns of the Users admin API: users and rollouts. */
import { readFileSync } from 'node:fs';
import { arg, optionalString, page, required, showPage, type Noun } from './noun';
import { show } from './output';

const enc = encodeURIComponent;

/** RFC 4180 records (quoted fields, doubled quotes, CRLF or LF), a byte order mark dropped */
export const parseCsvRecords = (text: string): string[][] => {
  const records: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  const source = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (quoted) {
      if (ch === '"' && source[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && source[i + 1] === '\n') i++;
      row.push(field);
      records.push(row);
      (row = []), (field = '');
    } else field += ch;
  }
  if (field !== '' || row.length > 0) records.push([...row, field]);
  return records;
};

export const users: Noun = {
  name: 'users',
  summary: 'the user directory of Users',
  verbs: {
    list: {
      usage: '',
      summary: 'the users, by id',
      options: { after: { type: 'string' }, limit: { type: 'string' } },
      run: async (c) => show(c.out, (await c.api.users('GET', '/users', { query: { after: optionalString(c, 'after'), limit: optionalString(c, 'limit') } })).body, ['id', 'name', 'email']),
    },
    create: {
      usage: '<id>',
      summary: 'add a user',
      options: { name: { type: 'string' }, email: { type: 'string' } },
      run: async (c) => {
        const email = optionalString(c, 'email');
        show(c.out, (await c.api.users('POST', '/users', { body: { id: arg(c, 0, 'the user id'), name: required(c, 'name'), ...(email ? { email } : {}) } })).body);
      },
    },
    import: {
      usage: '<file.csv>',
      summary: 'import users from CSV (id,name,email); bad lines are reported, the rest imported',
      run: async (c) => {
        const text = readFileSync(arg(c, 0, 'the CSV file'), 'utf8');
        const report = (await c.api.users('POST', '/users/import', { raw: { text, contentType: 'text/csv' } })).body as { created: number; skipped: number; errors: unknown[] };
        if (c.out.json) return show(c.out, report);
        show(c.out, { created: report.created, skipped: report.skipped, errors: report.errors.length });
        if (report.errors.length > 0) show(c.out, report.errors);
      },
    },
    token: { usage: '<id>', summary: "a new Profile token for the user (printed this once)", run: async (c) => show(c.out, (await c.api.users('POST', `/users/${enc(arg(c, 0, 'the user id'))}/tokens`)).body) },
    devices: { usage: '<id>', summary: "the user's phones", run: async (c) => show(c.out, (await c.api.users('GET', `/users/${enc(arg(c, 0, 'the user id'))}/devices`)).body) },
  },
};

export const rollouts: Noun = {
  name: 'rollouts',
  summary: 'rollouts of phones to many users (started in UsersAdmin)',
  verbs: {
    list: {
      usage: '',
      summary: 'the past rollouts, newest first, with how many users are pending, registered, expired',
      paged: true,
      run: async (c) => showPage(c, await c.api.users('GET', '/rollouts', { query: page(c) }), ['rolloutId', 'startedAt', 'category', 'phoneApp', 'users', 'pending', 'registered', 'expired']),
    },
    show: {
      usage: '<id>',
      summary: 'one code per user with its state (pending, registered, expired), from the rollout CSV',
      run: async (c) => {
        const csv = (await c.api.users('GET', `/rollouts/${enc(arg(c, 0, 'the rollout id'))}.csv`, { query: { bom: 'false' } })).body;
        const [header = [], ...rows] = parseCsvRecords(typeof csv === 'string' ? csv : '');
        show(c.out, rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] === '' ? null : row[i]]))), header);
      },
    },
  },
};
