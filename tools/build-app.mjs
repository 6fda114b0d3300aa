// Bundles an app (run from its folder) into dist/main.js: our workspace libraries are compiled in,
// packages from node_modules stay external and are loaded at run time.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  plugins: [
    {
      name: 'externalize-node-modules',
      setup(b) {
        // Bare imports that are not our own @sms-survey/* workspaces come from node_modules at run time.
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith('@sms-survey/')) return undefined;
          return { path: args.path, external: true };
        });
      },
    },
  ],
});
console.log(`built ${pkg.name} -> dist/main.js`);
