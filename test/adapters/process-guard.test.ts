/**
 * The guard of the `serve` process, in real processes: with it, an unhandled rejection and
 * an uncaught exception are logged and counted and the process runs on; without it the
 * same process ends at the first. (That no hostile input ever reaches the guard is
 * test/e2e/hostile-input.test.ts.)
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../support/exposition';

const REPO = new URL('../../', import.meta.url).pathname;
const CHILD = join(REPO, 'test/support/guard-child.ts');
const run = promisify(execFile);

describe('the process guard of serve', () => {
  it('logs and counts an unhandled rejection and an uncaught exception, and the process keeps running', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, 'guard'], { cwd: REPO });
    const lines = stdout.split('\n');
    const logged = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; err: { message: string } });
    expect(logged.map((l) => [l.level, l.err.message])).toEqual([
      [50, 'a rejection nobody handles'],
      [60, 'an exception nobody catches'],
    ]);
    expect(logged[0]!.msg).toContain('keeps serving');
    expect(lines).toContain('still running');
    const exposition = parseExposition(stdout.slice(stdout.indexOf('still running\n') + 'still running\n'.length));
    expect(exposition.samples('zt_process_unexpected_errors_total').map((s) => [s.labels['kind'], s.value])).toEqual([
      ['unhandled-rejection', 1],
      ['uncaught-exception', 1],
    ]);
  });

  it('without it, the same process ends at the first unhandled rejection', async () => {
    const failed = await run(process.execPath, ['--import', 'tsx', CHILD], { cwd: REPO }).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stdout).not.toContain('still running');
    expect(failed?.stderr).toContain('a rejection nobody handles');
  });
});
