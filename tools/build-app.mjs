// Bundles an app (run from its folder) into dist/main.js: our workspace libraries are compiled in,
// packages from node_modules stay external and are loaded at run time.
//
// Options (also through `npm run build -- …`):
//   --target=node24          esbuild target (default node20, the oldest Node the repository supports;
//                            the Dockerfile builds for the image's Node 24)
//   --metafile=<file>        write esbuild's metafile there; tools/runtime-deps.mjs reads the externals from it
//   --entry=<name>=<file>    one more entry point, bundled to dist/<name>.js (e.g. the migrate app's Prisma config)
//   --copy=<from>=<to>       copy a folder into dist/<to> (e.g. the Prisma schema and migrations)
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const options = { target: 'node20', metafile: undefined, entries: { main: 'src/main.ts' }, copies: [] };
for (const arg of process.argv.slice(2)) {
  const [key, ...rest] = arg.replace(/^--/, '').split('=');
  const value = rest.join('=');
  if (key === 'target') options.target = value;
  else if (key === 'metafile') options.metafile = value;
  else if (key === 'entry') options.entries[value.split('=')[0]] = value.split('=').slice(1).join('=');
  else if (key === 'copy') options.copies.push(value.split('='));
  else throw new Error(`build-app: unknown option ${arg}`);
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const result = await build({
  entryPoints: options.entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: options.target,
  format: 'esm',
  sourcemap: true,
  metafile: Boolean(options.metafile),
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
// The bundles are ES modules: say so, so Node need not guess from the syntax.
writeFileSync('dist/package.json', '{ "type": "module" }\n');
for (const [from, to] of options.copies) {
  // A fresh copy: a migration removed from the sources must not linger in dist.
  rmSync(join('dist', to), { recursive: true, force: true });
  mkdirSync(join('dist', to), { recursive: true });
  cpSync(from, join('dist', to), { recursive: true });
}
if (options.metafile) writeFileSync(options.metafile, JSON.stringify(result.metafile));
console.log(`built ${pkg.name} -> ${Object.keys(options.entries).map((e) => `dist/${e}.js`).join(', ')} (${options.target})`);
