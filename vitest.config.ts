import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    // Fits in beforeAll hooks (shared artifacts) take longer than the 10 s default on a busy
    // 2-core machine, more so with both cores running test files.
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: ONE on the project's 2-core machines,
    // where half the suite waits on spawned CLI processes. Every core runs a test file.
    // (isolate: false halves the test/stdlib time again but is not yet checked on the whole
    // suite: docs/performance.md, "The test suite".)
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
