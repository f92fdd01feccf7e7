import { configDefaults, defineConfig } from 'vitest/config';
import type { Reporter, TestModule } from 'vitest/node';

/** Ends the run with a plain "N passed, N failed" line (and skipped), which CI logs are read for. */
const plainSummary: Reporter = {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const counts = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const m of modules) for (const t of m.children.allTests()) counts[t.result().state]++;
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped + counts.pending} skipped\n`);
  },
};

const TESTS = ['packages/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'test/**/*.test.ts'];
/** Statistical and end-to-end-heavy tests (simulated scaling, full MNIST trainings, pack and install): `pnpm test:slow`. */
const SLOW = ['packages/*/test/**/*.slow.test.ts', 'packages/*/src/**/*.slow.test.ts', 'test/**/*.slow.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', plainSummary],
    // The CLI's bundles (what `pnpm trainer` runs, and test/helpers.ts's cli), made once before the test files start.
    globalSetup: ['test/cli-bundles.setup.ts'],
    // A test file a CPU (vitest's default leaves one CPU out: on 2 cores the files ran one after another).
    maxWorkers: '100%',
    // `pnpm test` runs the first (behaviour, about a minute on 2 cores), `pnpm test:slow` the second.
    projects: [
      // The fast project's threads run the trainer's bundled worker, not worker.ts through tsx (the setup file says why);
      // the slow one's packed and installed packages keep their own.
      { extends: true, test: { name: 'fast', include: TESTS, exclude: [...configDefaults.exclude, ...SLOW], setupFiles: ['test/bundled-worker.setup.ts'] } },
      { extends: true, test: { name: 'slow', include: SLOW } },
    ],
  },
});
