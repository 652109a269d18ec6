/**
 * `zerotouch serve` as an operator runs it, in a child process (the TypeScript sources
 * through tsx): started, waited for until /readyz answers, its output kept, stopped by
 * signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const REPO = new URL('../../', import.meta.url).pathname;
export const MAIN = join(REPO, 'src/main.ts');

export interface ChildServer {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** stdout and stderr so far */
  output(): string;
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/** `nodeFlags` go to node after `--import tsx` (another `--import`, say) */
export async function startChildServer(url: string, env: NodeJS.ProcessEnv, args: readonly string[] = ['--demo'], nodeFlags: readonly string[] = []): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeFlags, MAIN, 'serve', ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited: ${output}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server did not get ready: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    exited,
    output: () => output,
    async stop(signal) {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
