import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    setupFiles: ['./test/setup.ts'],
    include: ['test/**/*.test.ts'],
    // hang detectors, not figures: tests wait on conditions, and a busy machine must slow the suite, not fail it
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
