/**
 * `node --import ./test/support/no-pg.mjs`: the PostgreSQL driver may not be loaded in this
 * process, by import (the hooks of no-pg-hooks.mjs) or by require (CommonJS resolution
 * refused here). Bare specifiers resolved are logged to ZT_TEST_RESOLVE_LOG.
 */
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const log = process.env.ZT_TEST_RESOLVE_LOG;
register('./no-pg-hooks.mjs', { parentURL: import.meta.url, data: { log } });

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (/^pg($|\/|-)/.test(request)) {
    if (log) appendFileSync(log, `refused ${request} (require) from ${parent?.filename}\n`);
    throw new Error(`the PostgreSQL driver (${request}) was required by ${parent?.filename}`);
  }
  return resolveFilename.call(this, request, parent, ...rest);
};
