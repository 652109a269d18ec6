/**
 * The domain is pure: every file under src/domain imports only relative paths inside
 * src/domain, fp-ts and io-ts (not fp-ts's clock, randomness or console), and never reads
 * the clock or a random source.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../src/domain');

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });

/** Drop comments so prose about the clock is no violation; strings stay. */
const stripComments = (source: string): string => source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

const IMPORT_PATTERNS = [
  /\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?['"]([^'"]+)['"]/g,
  /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  /\brequire\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
];

const FORBIDDEN_PACKAGES = new Set(['fp-ts/Date', 'fp-ts/Random', 'fp-ts/Console', 'fp-ts/lib/Date', 'fp-ts/lib/Random', 'fp-ts/lib/Console']);

export const importsOf = (source: string): string[] =>
  IMPORT_PATTERNS.flatMap((pattern) => [...stripComments(source).matchAll(pattern)].map((m) => m[1] ?? ''));

/** Why an import is not allowed in the file at `file`, or null. */
export const importViolation = (file: string, specifier: string): string | null => {
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(file), specifier);
    return target === root || target.startsWith(`${root}/`) ? null : `imports ${specifier}, outside src/domain`;
  }
  if (FORBIDDEN_PACKAGES.has(specifier)) return `imports ${specifier} (clock, randomness or console)`;
  if (specifier === 'io-ts' || specifier.startsWith('io-ts/') || specifier.startsWith('fp-ts/')) return null;
  return `imports ${specifier}: only relative imports, fp-ts and io-ts are allowed`;
};

const IMPURE_CALLS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bDate\s*\.\s*now\b/, 'Date.now'],
  [/\bnew\s+Date\s*\(\s*\)/, 'new Date() without an argument'],
  [/(?<!new\s+)(?<![\w.$])Date\s*\(/, 'Date() (the current time as text)'],
  [/\bMath\s*\.\s*random\b/, 'Math.random'],
  [/\bperformance\s*\.\s*now\b/, 'performance.now'],
  [/\bcrypto\s*\.\s*(?:randomUUID|getRandomValues|randomBytes)\b/, 'a random source'],
  [/\bprocess\s*\.\s*(?:env|hrtime|uptime|argv|exit|stdout|stderr|cwd)\b/, 'the process'],
  [/\b(?:setTimeout|setInterval|setImmediate|queueMicrotask)\s*\(/, 'timers'],
  [/\bfetch\s*\(/, 'fetch'],
  [/\bconsole\s*\./, 'console'],
];

export const impureCalls = (source: string): string[] => {
  const code = stripComments(source);
  return IMPURE_CALLS.filter(([pattern]) => pattern.test(code)).map(([, what]) => what);
};

describe('purity of src/domain', () => {
  const files = filesUnder(root);

  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s imports only src/domain, fp-ts and io-ts', (_name, file) => {
    const source = readFileSync(file, 'utf8');
    const violations = importsOf(source)
      .map((specifier) => importViolation(file, specifier))
      .filter((v): v is string => v !== null);
    expect(violations).toEqual([]);
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s reads no clock and no random source', (_name, file) => {
    expect(impureCalls(readFileSync(file, 'utf8'))).toEqual([]);
  });
});

describe('the purity checks themselves', () => {
  const file = join(root, 'devices', 'x.ts');

  it('catch imports of the application, adapters and I/O packages', () => {
    const source = [
      "import { x } from '../../application/ports/event-store';",
      "import type { Y } from '../../adapters/http/route';",
      "import { readFileSync } from 'node:fs';",
      "import * as net from 'net';",
      "import pg from 'pg';",
      "import Fastify from 'fastify';",
      "export * from 'ws';",
      "const m = await import('undici');",
      "const c = require('crypto');",
      "import { now } from 'fp-ts/Date';",
      "import 'better-sqlite3';",
    ].join('\n');
    const violations = importsOf(source).map((s) => importViolation(file, s));
    expect(violations.every((v) => v !== null)).toBe(true);
    expect(violations).toHaveLength(11);
  });

  it('let relative domain imports, fp-ts and io-ts through', () => {
    const source = [
      "import * as E from 'fp-ts/Either';",
      "import { pipe } from 'fp-ts/function';",
      "import * as t from 'io-ts';",
      "import { Mac } from '../values/mac';",
      "export * as Device from './device';",
    ].join('\n');
    expect(importsOf(source).map((s) => importViolation(file, s))).toEqual([null, null, null, null, null]);
  });

  it('catch the clock and randomness, but allow date arithmetic and prose', () => {
    expect(impureCalls('const t = Date.now();')).toEqual(['Date.now']);
    expect(impureCalls('const d = new Date();')).toEqual(['new Date() without an argument']);
    expect(impureCalls('const s = Date();')).toEqual(['Date() (the current time as text)']);
    expect(impureCalls('const r = Math.random();')).toEqual(['Math.random']);
    expect(impureCalls('const u = crypto.randomUUID();')).toEqual(['a random source']);
    expect(impureCalls('const d = new Date(ms).toISOString(); const p = Date.parse(s); const u = Date.UTC(2025, 0, 1);')).toEqual([]);
    expect(impureCalls('// never call Date.now() here\n/* nor Math.random() */ const x = 1;')).toEqual([]);
  });
});
