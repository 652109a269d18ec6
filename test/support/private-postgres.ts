/**
 * A PostgreSQL cluster of a test's own (initdb into a temp dir, its own port), so a test
 * may restart the server under running nodes without touching the shared one. PostgreSQL
 * refuses to run as root: as root, the cluster runs as the `postgres` user.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './server';

const run = promisify(execFile);
const BIN = process.env['ZT_TEST_PG_BIN'] ?? '/usr/lib/postgresql/15/bin';

export interface PrivatePostgres {
  readonly url: string;
  /** a fast restart: every connection is ended, the server is back a moment later */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** why a private cluster cannot be made here, or undefined when it can */
export function privatePostgresMissing(): string | undefined {
  if (!existsSync(join(BIN, 'initdb'))) return `no initdb at ${BIN} (set ZT_TEST_PG_BIN)`;
  return undefined;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'zt-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const as = (command: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args]) : run(join(BIN, command), args));
  const port = await freePort();
  const data = join(dir, 'data');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  await as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-N']);
  await as('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: async () => {
      await as('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-m', 'fast', '-w', 'restart']);
    },
    stop: async () => {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
