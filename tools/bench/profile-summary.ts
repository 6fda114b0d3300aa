/**
 * Summarises a V8 CPU profile (node --cpu-prof) by self time: per package / file, and per function, and the
 * inclusive time of functions whose name matches a pattern.
 *   tsx tools/bench/profile-summary.ts <file.cpuprofile> [top=25] [inclusive-pattern]
 * Profile a service during a benchmark run with e.g.
 *   BENCH_NODE_ARGS_SMS_DISPATCHER="--cpu-prof --cpu-prof-dir=$PWD/.local/bench/prof" npm run bench
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const [file, topArg, pattern] = process.argv.slice(2);
if (!file) {
  console.error('usage: tsx tools/bench/profile-summary.ts <file.cpuprofile> [top] [inclusive-pattern]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = [...self.values()].reduce((s, v) => s + v, 0);

function area(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native/internal)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '').replace(process.cwd() + '/', '');
}

const byArea = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, us] of self) {
  const { callFrame } = byId.get(id)!;
  const a = area(callFrame.url, callFrame.functionName);
  byArea.set(a, (byArea.get(a) ?? 0) + us);
  const f = `${callFrame.functionName || '(anonymous)'}  ${a}:${callFrame.lineNumber + 1}`;
  byFunction.set(f, (byFunction.get(f) ?? 0) + us);
}

const pct = (us: number) => `${((us / totalUs) * 100).toFixed(1).padStart(5)} %`;
const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
};
console.log(`${file}: ${(totalUs / 1e6).toFixed(2)} s of samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(2)} s`);
print('self time by package / file', byArea);
print('self time by function', byFunction);

if (pattern) {
  // Inclusive time of frames whose "function file" matches: every sample with such a frame on its stack.
  const re = new RegExp(pattern);
  const inclusive = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const { callFrame } = byId.get(n)!;
      const key = `${callFrame.functionName || '(anonymous)'}  ${area(callFrame.url, callFrame.functionName)}:${callFrame.lineNumber + 1}`;
      if (re.test(key) && !seen.has(key)) {
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
      }
    }
  });
  print(`inclusive time of frames matching /${pattern}/`, inclusive);
}
