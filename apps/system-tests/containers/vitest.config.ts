import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The container smoke test (npm run test:containers, scripts/test-containers.sh): not part of `npm test`,
// whose vitest run in apps/system-tests only picks up *.spec.ts files.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['**/*.containers.ts'],
    testTimeout: 5 * 60_000,
    hookTimeout: 15 * 60_000,
    fileParallelism: false,
  },
});
