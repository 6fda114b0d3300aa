import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { allTopics } from '@sms-survey/contracts';
import { GatewayEnv } from '@sms-survey/ingest-gateway';
import { InsightsSyncEnv } from '@sms-survey/insights-sync';
import { DispatcherEnv } from '@sms-survey/sms-dispatcher';
import { OrchestratorEnv } from '@sms-survey/survey-orchestrator';
import { SimulatorEnv } from '@sms-survey/twilio-simulator';
import { repoRoot } from './messaging-helpers.js';

// docs/configuration.md names every variable a service reads (its zod schema), and docs/architecture.md every
// topic of the contracts, so the references stay true.

const variables = (schema: z.ZodType): string[] => {
  const s = schema as unknown as { shape?: Record<string, unknown>; in?: { shape?: Record<string, unknown> } };
  return Object.keys(s.shape ?? s.in?.shape ?? {});
};

describe('docs/configuration.md', () => {
  const docs = readFileSync(join(repoRoot, 'docs/configuration.md'), 'utf8');
  const schemas = { 'ingest-gateway': GatewayEnv, 'survey-orchestrator': OrchestratorEnv, 'sms-dispatcher': DispatcherEnv, 'insights-sync': InsightsSyncEnv, 'twilio-simulator': SimulatorEnv };
  for (const [service, schema] of Object.entries(schemas)) {
    it(`lists every variable ${service} reads`, () => {
      const names = variables(schema);
      expect(names.length).toBeGreaterThan(3);
      expect(names.filter((name) => !docs.includes(`\`${name}\``))).toEqual([]);
    });
  }
});

describe('docs/architecture.md', () => {
  it('lists every topic of the contracts in its topics table', () => {
    const docs = readFileSync(join(repoRoot, 'docs/architecture.md'), 'utf8');
    expect(allTopics.map((t) => t.name).filter((name) => !docs.includes(`| \`${name}\` |`))).toEqual([]);
  });
});
