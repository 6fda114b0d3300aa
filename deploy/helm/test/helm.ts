// Real Helm for the chart's tests: helm-java (Helm 3.16 as a native library, from Maven Central) driven by
// java/Render.java. The jars are resolved once with Maven into the project's cache, like the Kafka broker's.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const exec = promisify(execFile);
/** Runs a tool, saying what to install when it is missing. */
async function run(tool: 'java' | 'mvn', args: string[], options: { maxBuffer: number }) {
  try {
    return await exec(tool, args, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`the chart's tests run Helm through Java: ${tool} is missing (Java 17+ and Maven: apt-get install openjdk-17-jdk-headless maven)`);
    }
    throw error;
  }
}
export const helmDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const chartDir = join(helmDir, 'sms-survey');
const pom = join(helmDir, 'java', 'pom.xml');
const renderJava = join(helmDir, 'java', 'Render.java');

/** The helm-java jars (helm-java, lib-api, linux-amd64, jna), fetched on first use. Returns a classpath. */
export async function helmClasspath(): Promise<string> {
  const version = /<helm-java\.version>([^<]+)</.exec(readFileSync(pom, 'utf8'))?.[1];
  if (!version) throw new Error(`no helm-java.version in ${pom}`);
  const cache = process.env.SMS_SURVEY_CACHE ?? join(homedir(), '.cache', 'sms-survey');
  const lib = join(cache, `helm-java-${version}`, 'lib');
  if (!existsSync(join(lib, '.complete'))) {
    const tmp = `${lib}.${process.pid}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(dirname(lib), { recursive: true });
    await run('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime'], {
      maxBuffer: 16 * 1024 * 1024,
    });
    writeFileSync(join(tmp, '.complete'), '');
    rmSync(lib, { recursive: true, force: true });
    renameSync(tmp, lib);
  }
  return `${lib}/*`;
}

export interface Rendering {
  /** `helm template` succeeded. */
  ok: boolean;
  /** The manifests (hooks included), or Helm's error. */
  output: string;
  /** The rendered NOTES.txt, or Helm's error. */
  notes: string;
}

export interface HelmRun {
  lint: { failed: boolean; messages: string[] };
  renders: Record<string, Rendering>;
}

/**
 * Lints the chart and renders it once per entry of `renders` (its values files, layered in order; none: the
 * chart's defaults), all in one JVM.
 */
export async function helm(renders: Record<string, string[]>, options: { release?: string; namespace?: string } = {}): Promise<HelmRun> {
  const classpath = await helmClasspath();
  const jobs = Object.entries(renders).map(([name, files]) => ({ name, arg: files.join(',') }));
  const { stdout } = await run(
    'java',
    [
      '-XX:TieredStopAtLevel=1',
      '-Xshare:auto',
      '-cp',
      classpath,
      renderJava,
      '--name',
      options.release ?? 'surveys',
      '--namespace',
      options.namespace ?? 'surveys',
      chartDir,
      ...jobs.map((j) => j.arg),
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const sections: { kind: string; status: string; values: string; body: string[] }[] = [];
  for (const line of stdout.split('\n')) {
    const mark = /^#### helm-render (\w+) (\w+) ?(.*)$/.exec(line);
    if (mark) sections.push({ kind: mark[1]!, status: mark[2]!, values: mark[3]!, body: [] });
    else sections.at(-1)?.body.push(line);
  }
  const lint = sections.find((s) => s.kind === 'lint');
  if (!lint) throw new Error(`Render.java printed no lint section:\n${stdout.slice(0, 2000)}`);
  const result: HelmRun = { lint: { failed: lint.status !== 'ok', messages: lint.body.filter(Boolean) }, renders: {} };
  for (const job of jobs) {
    const template = sections.find((s) => s.kind === 'template' && s.values === job.arg);
    const notes = sections.find((s) => s.kind === 'notes' && s.values === job.arg);
    if (!template || !notes) throw new Error(`Render.java printed no sections for ${job.name} (${job.arg})`);
    result.renders[job.name] = { ok: template.status === 'ok', output: template.body.join('\n'), notes: notes.body.join('\n') };
  }
  return result;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // Rendered objects are checked against their schemas, then read loosely.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [key: string]: any;
}

/** The objects of a multi-document YAML stream, in order; empty documents are skipped. */
export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value) objects.push(value);
  }
  return objects;
}
