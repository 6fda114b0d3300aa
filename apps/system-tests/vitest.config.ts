import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file starts the whole system; two at a time is what two cores carry.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
