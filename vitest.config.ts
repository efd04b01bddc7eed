import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['./test/setup.ts'],
    include: ['test/**/*.test.ts'],
    // hang detectors, not figures: tests wait on conditions, and a busy machine must slow the suite, not fail it
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // vitest's default is one file fewer than the cores: a single file at a time on a 2-core machine, while most files
    // wait on child processes, timers and sockets. Two files at a time use both cores; a slower, busier run is what
    // every test is written to bear (conditions, not times). MOCHILA_TEST_WORKERS overrides.
    maxWorkers: Number(process.env.MOCHILA_TEST_WORKERS) || Math.max(2, availableParallelism() - 1),
  },
});
