import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The survey console: a React app built by Vite into dist/, served by the gateway under /console/.
// JSX through Vite's own esbuild (no React plugin: no fast refresh needed for a page this size).
export default defineConfig(({ mode }) => ({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  esbuild: { jsx: 'automatic' },
  resolve: {
    // For the browser only (not for the tests, which run in Node and start the services): @sms-survey/contracts,
    // under the survey-domain code the preview runs, imports node:crypto for ids only the services make; this
    // stand-in throws if anything in the browser ever calls it.
    alias: (mode === 'test' ? {} : { 'node:crypto': fileURLToPath(new URL('./src/browser/node-crypto.ts', import.meta.url)) }) as Record<string, string>,
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      // zod's sources carry /* @__PURE__ */ comments where Rollup cannot use them; it says so for each, harmlessly.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
  server: {
    // `npx vite` in apps/console: the API of a gateway started by `npm start`.
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
  test: {
    include: ['test/**/*.spec.ts'],
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
}));
