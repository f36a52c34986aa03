import type { Reporter, TestModule } from 'vitest/node';

/**
 * Lists, after the run, every skipped test with the suite that skipped it: the suites name what they need ("events
 * across server instances through Redis", "outside evaluation data (/work/shared/data/sva)"), so the list says why.
 */
export default class SkippedReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped: string[] = [];
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        skipped.push(`  ${module.moduleId.replace(`${process.cwd()}/`, '')} > ${test.fullName}`);
      }
    }
    console.log(
      skipped.length === 0 ? '\nSkipped tests: none' : `\nSkipped tests: ${skipped.length}\n${skipped.join('\n')}`,
    );
  }
}
