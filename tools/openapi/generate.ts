/**
 * Writes docs/openapi.json, the OpenAPI 3.1 document of the gateway's HTTP API, from the routes' zod schemas:
 * `npm run docs:openapi`. With `--stdout` it prints the JSON instead; a unit test in apps/ingest-gateway runs it
 * so and fails when the committed file differs. The gateway serves the same document at /openapi.json.
 */
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { buildGateway, type GatewayDeps } from '../../apps/ingest-gateway/src/app.js';

/**
 * The gateway with every optional route (outbound SMS tasks, sessions, results, the simulator's) and nothing connected:
 * the dependencies are never called while only the document is read.
 */
function documentationDeps(): GatewayDeps {
  const unused = new Proxy({}, { get: (_target, name) => () => Promise.reject(new Error(`not available while generating the OpenAPI document (${String(name)})`)) });
  return {
    logger: pino({ level: 'silent' }),
    producer: unused as GatewayDeps['producer'],
    registry: new Registry(),
    readiness: [],
    publicBaseUrl: 'http://127.0.0.1:3000',
    twilioAuthTokens: ['documentation-only-token'],
    maxBodyBytes: 64 * 1024,
    apiKeys: ['documentation-only-key'],
    surveys: unused as GatewayDeps['surveys'],
    suppressions: unused as GatewayDeps['suppressions'],
    outboundSmsTasks: unused as NonNullable<GatewayDeps['outboundSmsTasks']>,
    sessions: unused as NonNullable<GatewayDeps['sessions']>,
    results: unused as NonNullable<GatewayDeps['results']>,
    simulator: { url: 'http://127.0.0.1:4010' },
    // Not built here: the console's routes are the same either way in the document.
    consoleDir: resolve('.local', 'openapi-no-console'),
  };
}

/** The JSON text of the OpenAPI document; deterministic, so it can be compared with the committed file. */
export async function renderOpenApiJson(): Promise<string> {
  const app = await buildGateway(documentationDeps());
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
