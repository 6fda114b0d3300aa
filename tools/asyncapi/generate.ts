/**
 * Writes docs/asyncapi.yaml from the zod contracts: `npm run docs:asyncapi`. With `--stdout` it prints the YAML
 * instead; a unit test in libs/contracts runs it so and fails when the committed file differs.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { stringify } from 'yaml';
import { messageExamples } from '../../libs/contracts/examples/messages.js';
import { buildAsyncApiDocument } from '../../libs/contracts/src/asyncapi.js';

const HEADER = [
  '# Generated from libs/contracts by `npm run docs:asyncapi`. Do not edit by hand: change the contracts and regenerate.',
  '# Guide for consumers: docs/events.md',
].join('\n');

/** The YAML text of the AsyncAPI document; deterministic, so it can be compared with the committed file. */
export function renderAsyncApiYaml(): string {
  // YAML 1.1 rules for quoting, so that YAML 1.1 parsers (js-yaml, PyYAML) also read times, phone numbers and
  // yes/no as strings; no anchors/aliases for repeated objects (the same answer in several examples); no folding.
  const yaml = stringify(buildAsyncApiDocument(messageExamples), { version: '1.1', aliasDuplicateObjects: false, lineWidth: 0 });
  return `${HEADER}\n${yaml}`;
}

// Runs only as a script, not when imported. The path comes from the script's own path, which works whether
// tools/ is loaded as CommonJS (as now: no "type" in the root package.json) or as ESM.
const script = process.argv[1];
if (script !== undefined && /[\\/]tools[\\/]asyncapi[\\/]generate\.ts$/.test(script)) {
  if (process.argv.includes('--stdout')) {
    process.stdout.write(renderAsyncApiYaml());
  } else {
    const target = resolve(dirname(script), '..', '..', 'docs', 'asyncapi.yaml');
    writeFileSync(target, renderAsyncApiYaml());
    console.log(`wrote ${target}`);
  }
}
