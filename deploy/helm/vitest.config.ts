import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    // The first run resolves helm-java (~30 MB) from Maven Central; later runs use the cache.
    hookTimeout: 180_000,
  },
});
