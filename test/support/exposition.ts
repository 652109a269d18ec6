/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests that
 * read GET /metrics: every line must be a HELP, a TYPE or a sample of a family whose TYPE
 * came before it; names, label names and escapes must be valid; a series may appear only
 * once; a family's samples stand together; a histogram's buckets are cumulative, end with
 * `+Inf` and agree with its `_count`. Anything else throws, naming the line.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string | undefined;
  readonly samples: Sample[];
}

export interface Exposition {
  readonly families: ReadonlyMap<string, Family>;
  /** the value of one series; throws when the series is not there (a missing series is not 0) */
  value(name: string, labels?: Readonly<Record<string, string>>): number;
  /** every sample named `name` (a family's own name or a histogram's `_bucket`, `_sum`, `_count`) */
  samples(name: string): Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

const seriesKey = (name: string, labels: Readonly<Record<string, string>>): string =>
  `${name}${JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;

function parseValue(text: string, where: string): number {
  // spelled as Prometheus' own reader (Go's ParseFloat) takes them: any case (prom-client writes "Nan")
  const special = text.toLowerCase();
  if (special === '+inf' || special === 'inf') return Infinity;
  if (special === '-inf') return -Infinity;
  if (special === 'nan') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: "${text}" is not a sample value`);
  return Number(text);
}

/** `{a="x",b="y"}` from the first character after the name; returns the labels and where they end */
function parseLabels(line: string, start: number, where: string): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (line[i] !== '}') {
    const eq = line.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: a label without "="`);
    const name = line.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`${where}: "${name}" is not a label name`);
    if (name in labels) throw new Error(`${where}: label ${name} twice`);
    if (line[eq + 1] !== '"') throw new Error(`${where}: label ${name}'s value is not quoted`);
    let value = '';
    let j = eq + 2;
    for (;;) {
      const c = line[j];
      if (c === undefined) throw new Error(`${where}: label ${name}'s value does not end`);
      if (c === '"') break;
      if (c === '\\') {
        const next = line[j + 1];
        if (next === '\\') value += '\\';
        else if (next === '"') value += '"';
        else if (next === 'n') value += '\n';
        else throw new Error(`${where}: "\\${next ?? ''}" is not an escape`);
        j += 2;
        continue;
      }
      value += c;
      j++;
    }
    labels[name] = value;
    i = j + 1;
    if (line[i] === ',') i++;
    else if (line[i] !== '}') throw new Error(`${where}: expected "," or "}" after label ${name}`);
  }
  return { labels, end: i + 1 };
}

/** which family a sample name belongs to, given the families declared so far */
function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const own = families.get(name);
  if (own) return own;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!name.endsWith(suffix)) continue;
    const family = families.get(name.slice(0, -suffix.length));
    if (family && (family.type === 'histogram' || (family.type === 'summary' && suffix !== '_bucket'))) return family;
  }
  return undefined;
}

function checkHistogram(family: Family): void {
  const byGroup = new Map<string, { buckets: Array<{ le: number; value: number }>; count?: number; sum?: number }>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = seriesKey('', rest);
    const group = byGroup.get(key) ?? { buckets: [] };
    byGroup.set(key, group);
    if (s.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      group.buckets.push({ le: parseValue(le, family.name), value: s.value });
    } else if (s.name === `${family.name}_count`) group.count = s.value;
    else if (s.name === `${family.name}_sum`) group.sum = s.value;
    else throw new Error(`${family.name}: ${s.name} is not a histogram sample`);
  }
  for (const [key, group] of byGroup) {
    const where = `${family.name}${key}`;
    if (group.count === undefined || group.sum === undefined) throw new Error(`${where}: no _count or _sum`);
    const last = group.buckets.at(-1);
    if (!last || last.le !== Infinity) throw new Error(`${where}: the buckets do not end with +Inf`);
    for (let i = 1; i < group.buckets.length; i++) {
      if (group.buckets[i]!.le <= group.buckets[i - 1]!.le) throw new Error(`${where}: bucket bounds not increasing`);
      if (group.buckets[i]!.value < group.buckets[i - 1]!.value) throw new Error(`${where}: buckets not cumulative`);
    }
    if (last.value !== group.count) throw new Error(`${where}: +Inf bucket ${last.value} is not _count ${group.count}`);
  }
}

export function parseExposition(text: string): Exposition {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  const seen = new Set<string>();
  const closed = new Set<string>();
  let current: Family | undefined;
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const where = `line ${index + 1} "${line.slice(0, 80)}"`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      const [, keyword, name, rest] = m as unknown as [string, 'HELP' | 'TYPE', string, string];
      if (!METRIC_NAME.test(name)) throw new Error(`${where}: "${name}" is not a metric name`);
      if (keyword === 'HELP') {
        if (helps.has(name)) throw new Error(`${where}: HELP for ${name} twice`);
        helps.set(name, rest);
        return;
      }
      if (!TYPES.has(rest as MetricType)) throw new Error(`${where}: "${rest}" is not a type`);
      if (families.has(name)) throw new Error(`${where}: TYPE for ${name} twice`);
      if (current) closed.add(current.name);
      current = { name, type: rest as MetricType, help: helps.get(name), samples: [] };
      families.set(name, current);
      return;
    }
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    const nameEnd = brace >= 0 && (space < 0 || brace < space) ? brace : space;
    if (nameEnd <= 0) throw new Error(`${where}: not a sample`);
    const name = line.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) throw new Error(`${where}: "${name}" is not a metric name`);
    const { labels, end } = line[nameEnd] === '{' ? parseLabels(line, nameEnd, where) : { labels: {}, end: nameEnd };
    if (line[end] !== ' ') throw new Error(`${where}: no space before the value`);
    const [valueText, timestamp, ...extra] = line.slice(end + 1).split(' ');
    if (extra.length > 0 || (timestamp !== undefined && !/^-?\d+$/.test(timestamp))) throw new Error(`${where}: more than a value and a timestamp`);
    const value = parseValue(valueText ?? '', where);
    const family = familyOf(name, families);
    if (!family) throw new Error(`${where}: ${name} has no TYPE before it`);
    if (closed.has(family.name) || family !== current) throw new Error(`${where}: ${family.name}'s samples do not stand together`);
    const key = seriesKey(name, labels);
    if (seen.has(key)) throw new Error(`${where}: the series ${key} twice`);
    seen.add(key);
    family.samples.push({ name, labels, value });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  const samples = (name: string): Sample[] => [...families.values()].flatMap((f) => f.samples.filter((s) => s.name === name));
  return {
    families,
    samples,
    value(name, labels = {}) {
      const key = seriesKey(name, labels);
      const found = samples(name).find((s) => seriesKey(s.name, s.labels) === key);
      if (!found) throw new Error(`no series ${key} in the exposition`);
      return found.value;
    },
  };
}
