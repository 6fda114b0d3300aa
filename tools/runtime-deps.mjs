// Copies the npm packages an app's bundle loads at run time, and only those, into <out>/node_modules.
// Used by the Dockerfile: the image gets these instead of a whole `npm ci --omit=dev` tree (which holds every
// workspace's production packages: the Twilio simulator's @twilio-alpha/mcp, the Prisma CLI's engines, …).
//
//   node tools/runtime-deps.mjs --app=apps/<app> --metafile=<esbuild metafile of its bundle> --out=<dir>
//
// The roots are the bundle's external imports (from the metafile) and the app's own package.json
// dependencies. From them, esbuild traces every file reachable by import/require, across packages; a package
// so reached is copied whole (without type declarations, source maps, TypeScript sources and Markdown), or, for
// the few large packages in TRACED below, only its traced files, or, in FILES, only the files listed there.
// A package copied whole also brings its declared dependencies (it may load files that a trace cannot see).
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Large packages of which a bundle needs a small part, all loaded by static imports: copy only what is traced. */
const TRACED = new Set([
  '@prisma/client', // 74 MB: query compilers and engines for every database and runtime; we load the PostgreSQL one
  'effect', // 34 MB (the Prisma CLI's config loader uses a few modules)
  'zod', // 8 MB: v3, v4, mini, locales, sources
]);

/**
 * Packages of which only these files are needed (data, or a CLI whose other files serve other commands).
 * `trace`: files of it that are traced like the roots, for the packages they load.
 */
const FILES = {
  // The Twilio simulator reads three of Twilio's OpenAPI specs from it (apps/twilio-simulator/src/contract.ts);
  // none of its code (an MCP server, with large dependencies) is loaded.
  '@twilio-alpha/mcp': {
    files: [
      'package.json',
      'twilio-oai/spec/json/twilio_api_v2010.json',
      'twilio-oai/spec/json/twilio_taskrouter_v1.json',
      'twilio-oai/spec/json/twilio_flex_v1.json',
    ],
    trace: [],
  },
  // The Prisma CLI for `prisma migrate deploy` with engine "js" (the migrate app): the CLI and the WebAssembly
  // schema engine; not the query engines for every database, nor Studio.
  prisma: {
    files: ['package.json', 'config.js', 'build/index.js', 'build/schema_engine_bg.wasm', 'build/prisma_schema_build_bg.wasm'],
    trace: ['config.js', 'build/index.js'],
  },
};

/** Packages never copied: found by the trace, but only loaded inside try/catch for something we do not use. */
const LEFT_OUT = new Set([
  'typescript', // 19 MB: the Prisma CLI's `import('typescript')` for its version report
]);

/** Never needed at run time in a package copied whole. */
const SKIP_FILE = /(\.d\.[cm]?ts|\.[cm]?ts|\.map|\.md|\.markdown|\.tsbuildinfo)$/i;
const SKIP_DIR = new Set(['node_modules', '.github', '.vscode']);

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k, v.join('=')];
  }),
);
for (const required of ['app', 'metafile', 'out']) {
  if (!args[required]) throw new Error(`runtime-deps: --${required}= is required`);
}
const appDir = realpathSync(resolve(args.app));
const appPkg = JSON.parse(readFileSync(join(appDir, 'package.json'), 'utf8'));
const outModules = join(resolve(args.out), 'node_modules');

const packageName = (specifier) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
const isOurs = (specifier) => specifier.startsWith('@sms-survey/');

// ---- roots ----
const metafile = JSON.parse(readFileSync(args.metafile, 'utf8'));
const roots = new Set();
for (const output of Object.values(metafile.outputs)) {
  for (const imp of output.imports) if (imp.external && !isBuiltin(imp.path) && !isOurs(imp.path)) roots.add(imp.path);
}
for (const dep of Object.keys(appPkg.dependencies ?? {})) if (!isOurs(dep)) roots.add(dep);

/** The folder of package `name` as Node finds it from `fromDir` (real path), or undefined. */
function findPackage(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dir === root || dir === dirname(dir)) return undefined;
  }
}

/** package folder → { name, mode, files: Set<relative file> } */
const packages = new Map();
function addPackage(dir) {
  let entry = packages.get(dir);
  if (!entry) {
    const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const mode = FILES[name] ? 'files' : TRACED.has(name) ? 'traced' : 'whole';
    entry = { name, mode, files: new Set(['package.json']) };
    packages.set(dir, entry);
  }
  return entry;
}

/** The package folder holding a file (the innermost node_modules/<name> above it). */
function packageOf(file) {
  const parts = file.split(sep);
  const i = parts.lastIndexOf('node_modules');
  if (i < 0) return undefined;
  const n = parts[i + 1]?.startsWith('@') ? 2 : 1;
  return parts.slice(0, i + 1 + n).join(sep);
}

// ---- trace: every file reachable from the roots by static import/require ----
const traceRoots = [...roots].filter((s) => !FILES[packageName(s)]);
for (const s of roots) {
  const spec = FILES[packageName(s)];
  const dir = spec && findPackage(packageName(s), appDir);
  if (dir) for (const file of spec.trace) traceRoots.push(join(dir, file));
}
const soft = {
  name: 'soft-resolve',
  setup(b) {
    // Imports that do not resolve (optional dependencies not installed, optional peers) stay external, as they
    // fail, and are handled, at run time too. FILES packages are not traced into.
    b.onResolve({ filter: /.*/ }, async (a) => {
      if (a.pluginData?.soft || a.kind === 'entry-point') return undefined;
      if (/^[^./]/.test(a.path) && (isBuiltin(a.path) || FILES[packageName(a.path)] || LEFT_OUT.has(packageName(a.path)))) {
        return { path: a.path, external: true };
      }
      const r = await b.resolve(a.path, { kind: a.kind, importer: a.importer, resolveDir: a.resolveDir, pluginData: { soft: true } });
      return r.errors.length ? { path: a.path, external: true } : r;
    });
    // Only which files are reached matters: files that are not JavaScript or JSON are recorded, not parsed.
    b.onLoad({ filter: /\.(node|wasm|html|css|txt|proto|graphql|png|svg)$/ }, () => ({ contents: '', loader: 'empty' }));
  },
};
const traced = await build({
  stdin: { contents: traceRoots.map((s) => `import ${JSON.stringify(s)};`).join('\n'), resolveDir: appDir, loader: 'js' },
  absWorkingDir: root,
  bundle: true,
  write: false,
  metafile: true,
  platform: 'node',
  format: 'esm',
  logLevel: 'silent',
  plugins: [soft],
});
for (const input of Object.keys(traced.metafile.inputs)) {
  const file = resolve(root, input.replace(/^[a-z-]+:/, ''));
  const dir = packageOf(file);
  if (dir && existsSync(file)) addPackage(dir).files.add(relative(dir, file));
}
for (const s of roots) {
  const dir = findPackage(packageName(s), appDir);
  if (!dir) throw new Error(`runtime-deps: ${s} (imported by the bundle) is not installed`);
  addPackage(dir);
}

// ---- packages copied whole bring their declared dependencies ----
const queue = [...packages.keys()];
while (queue.length) {
  const dir = queue.shift();
  const entry = packages.get(dir);
  if (entry.mode === 'traced') continue;
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (entry.mode === 'files') continue; // what it loads is traced from FILES[name].trace
  const deps = [...Object.keys(pkg.dependencies ?? {}).map((d) => [d, false]), ...Object.keys(pkg.optionalDependencies ?? {}).map((d) => [d, true])];
  for (const [dep, optional] of deps) {
    const found = LEFT_OUT.has(dep) ? undefined : findPackage(dep, dir);
    if (!found) {
      if (LEFT_OUT.has(dep)) continue;
      if (!optional) console.warn(`runtime-deps: ${entry.name} depends on ${dep}, which is not installed`);
      continue;
    }
    if (!packages.has(found)) {
      const added = addPackage(found);
      // Reached only through a declaration: no trace of it exists, so it is copied whole.
      if (added.mode === 'traced') added.mode = 'whole';
      queue.push(found);
    }
  }
}

// ---- place and copy ----
// A package goes where Node, resolving from the app's folder, finds it: the app's own node_modules and the
// repository's are both flattened into <out>/node_modules; nested node_modules keep their nesting.
const appModules = join(appDir, 'node_modules') + sep;
const rootModules = join(root, 'node_modules') + sep;
const placed = new Map();
let bytes = 0;
const sorted = [...packages.entries()].sort(([a], [b]) => (a.startsWith(appModules) ? 0 : 1) - (b.startsWith(appModules) ? 0 : 1));
for (const [dir, entry] of sorted) {
  const rel = dir.startsWith(appModules) ? dir.slice(appModules.length) : dir.startsWith(rootModules) ? dir.slice(rootModules.length) : undefined;
  if (rel === undefined) throw new Error(`runtime-deps: ${dir} is outside the app's and the repository's node_modules`);
  const target = join(outModules, rel);
  if (placed.has(target)) {
    // Two versions would need the same place: the app's own (nested) one wins where the app resolves it,
    // and the other is only fine if nothing else needs it; refuse rather than guess.
    throw new Error(`runtime-deps: ${placed.get(target)} and ${dir} both belong at ${relative(outModules, target)}`);
  }
  placed.set(target, dir);
  const files = entry.mode === 'whole' ? listFiles(dir) : entry.mode === 'files' ? FILES[entry.name].files : [...entry.files];
  for (const file of files) {
    const from = join(dir, file);
    if (!existsSync(from)) throw new Error(`runtime-deps: ${entry.name}/${file} is missing`);
    mkdirSync(dirname(join(target, file)), { recursive: true });
    cpSync(from, join(target, file));
    bytes += statSync(from).size;
  }
  entry.count = files.length;
}

function listFiles(dir, prefix = '') {
  const out = [];
  for (const name of readdirSync(join(dir, prefix))) {
    const rel = prefix ? join(prefix, name) : name;
    const st = statSync(join(dir, rel));
    if (st.isDirectory()) {
      if (!SKIP_DIR.has(name)) out.push(...listFiles(dir, rel));
    } else if (name === 'package.json' || !SKIP_FILE.test(name)) out.push(rel);
  }
  return out;
}

const report = [...packages.values()].map((e) => `${e.name} (${e.mode}, ${e.count} files)`).sort();
writeFileSync(join(resolve(args.out), 'runtime-deps.txt'), report.join('\n') + '\n');
console.log(`runtime-deps: ${packages.size} packages, ${(bytes / 1e6).toFixed(1)} MB -> ${outModules}`);
