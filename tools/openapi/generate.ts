/**
 * Writes docs/openapi.json, the OpenAPI 3.1 document of the gateway's HTTP API, from the routes' zod schemas:
 * `npm run docs:openapi`. With `--stdout` it prints the JSON instead; a unit test in apps/ingest-gateway runs it
 * so and fails when the committed file differs. The gateway serves the same document at /openapi.json.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildGateway } from '../../apps/ingest-gateway/src/app.js';
import { disconnectedGatewayDeps } from '../../apps/ingest-gateway/src/openapi.js';

/** The JSON text of the OpenAPI document; deterministic, so it can be compared with the committed file. */
export async function renderOpenApiJson(): Promise<string> {
  const app = await buildGateway(disconnectedGatewayDeps());
  try {
    await app.ready();
    return `${JSON.stringify(app.swagger(), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

// Runs only as a script, not when imported (tools/ is loaded as CommonJS: no import.meta, no top-level await).
const script = process.argv[1];
if (script !== undefined && /[\\/]tools[\\/]openapi[\\/]generate\.ts$/.test(script)) {
  renderOpenApiJson().then(
    (json) => {
      if (process.argv.includes('--stdout')) {
        process.stdout.write(json);
      } else {
        const target = resolve(dirname(script), '..', '..', 'docs', 'openapi.json');
        writeFileSync(target, json);
        console.log(`wrote ${target}`);
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
