/**
 * Lists every skipped test by its full name at the end of a run, so a suite that could not
 * run here (no EventStoreDB, no Chromium) says so, and why, in the output of `npm test`.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SkippedReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) skipped.push(`${module.moduleId.replace(process.cwd() + '/', '')}: ${test.fullName}`);
    }
    if (skipped.length === 0) return;
    process.stdout.write(`\nSkipped (${skipped.length}), with the reason in the name:\n${skipped.map((s) => `  - ${s}`).join('\n')}\n`);
  }
}
