#!/usr/bin/env node
// `zerotouch`: runs the bundle (dist/server/zerotouch.mjs, made by `npm run build`) when it
// is newer than every source file, else the TypeScript sources through tsx. `serve` and
// `audit` get their V8 settings (bin/node-flags.mjs). Signals are passed on, so SIGTERM from a
// supervisor (or npm) reaches the server and it shuts down gracefully.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { auditNodeFlags, serverNodeFlags } from './node-flags.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'server', 'zerotouch.mjs');
const argv = process.argv.slice(2);

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const flags = argv[0] === 'serve' ? serverNodeFlags() : argv[0] === 'audit' ? auditNodeFlags() : [];
let args;
if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource(join(root, 'src'))) {
  args = [...flags, bundle, ...argv];
} else {
  const require = createRequire(import.meta.url);
  const tsx = join(dirname(require.resolve('tsx/package.json')), 'dist', 'cli.mjs');
  args = [...flags, tsx, join(root, 'src', 'main.ts'), ...argv];
}
const child = spawn(process.execPath, args, { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
