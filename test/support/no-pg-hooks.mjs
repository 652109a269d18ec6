/**
 * Module resolution hooks for a child process (registered by no-pg.mjs): every bare
 * specifier resolved is appended to the file named by `data.log`; the PostgreSQL driver
 * (`pg` and its `pg-*` packages) is refused: resolving it throws, naming who asked.
 */
import { appendFileSync } from 'node:fs';

let log;

export function initialize(data) {
  log = data?.log;
}

const isPg = (specifier) => /^pg($|\/|-)/.test(specifier);

export async function resolve(specifier, context, nextResolve) {
  if (isPg(specifier)) {
    if (log) appendFileSync(log, `refused ${specifier} from ${context.parentURL}\n`);
    throw new Error(`the PostgreSQL driver (${specifier}) was loaded by ${context.parentURL}`);
  }
  const resolved = await nextResolve(specifier, context);
  if (/\/node_modules\/pg(-[^/]+)?\//.test(resolved.url)) {
    if (log) appendFileSync(log, `refused ${resolved.url} from ${context.parentURL}\n`);
    throw new Error(`the PostgreSQL driver (${resolved.url}) was loaded by ${context.parentURL}`);
  }
  if (log && !/^(\.|\/|file:|node:|data:)/.test(specifier)) appendFileSync(log, `${specifier}\n`);
  return resolved;
}
