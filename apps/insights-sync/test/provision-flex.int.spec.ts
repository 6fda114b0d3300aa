import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '@sms-survey/service-kit';
import { buildSimulator, type Simulator } from '@sms-survey/twilio-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProvisionFlexConfig } from '../src/cli/provision-flex-config.js';
import { provisionFlex } from '../src/provision-flex.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Runs `npm run provision-flex`'s script as the root package.json does (tsx), with only the given variables set. */
function runCli(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/insights-sync/src/cli/provision-flex.ts'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

const sidsIn = (output: string) => ({
  queue: /TaskQueue\s+(WQ[0-9a-f]{32})/.exec(output)?.[1],
  workflow: /Workflow\s+(WW[0-9a-f]{32})/.exec(output)?.[1],
  channel: /TaskChannel\s+(TC[0-9a-f]{32})/.exec(output)?.[1],
});

describe('npm run provision-flex', () => {
  let simulator: Simulator;
  let url: string;

  beforeAll(async () => {
    simulator = buildSimulator({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN });
    url = await simulator.app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await simulator?.app.close();
  });

  it('run twice against the simulator: the first creates queue, workflow and channel, the second nothing, same sids', async () => {
    const first = await runCli({ TWILIO_API_BASE_URL: url });
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(`Twilio simulator at ${url}`);
    expect(first.output).toMatch(/created 3: TaskQueue WQ\w+, Workflow WW\w+, TaskChannel TC\w+/);
    const sids = sidsIn(first.output);
    expect(sids.queue && sids.workflow && sids.channel).toBeTruthy();

    const state = simulator.state;
    expect(state.taskQueues.find((q) => q.sid === sids.queue)).toMatchObject({ friendlyName: 'Survey', targetWorkers: '1 == 0' });
    const workflow = state.workflows.find((w) => w.sid === sids.workflow)!;
    expect(workflow.friendlyName).toBe('Survey');
    expect(JSON.parse(workflow.configuration).task_routing.filters[0].targets).toEqual([{ queue: sids.queue, timeout: 3 }]);
    expect(state.taskChannels.find((c) => c.sid === sids.channel)).toMatchObject({ uniqueName: 'survey' });

    const second = await runCli({ TWILIO_API_BASE_URL: url });
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('nothing to create: already provisioned');
    expect(sidsIn(second.output)).toEqual(sids);
    expect(state.taskQueues).toHaveLength(1);
    expect(state.workflows).toHaveLength(1);
    expect(state.taskChannels.filter((c) => c.uniqueName === 'survey')).toHaveLength(1);
    expect(second.output).toContain(`TWILIO_SURVEY_WORKFLOW_SID=${sids.workflow}`);
  }, 60_000);

  it('takes a real account\'s credentials, names and workspace from the environment, and rejects half a pair', async () => {
    const config = loadProvisionFlexConfig({
      TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'a-real-token',
      TWILIO_WORKSPACE_SID: `WS${'2'.repeat(32)}`,
      SURVEY_TASK_CHANNEL: 'csat',
    });
    expect(config.twilio).toMatchObject({ accountSid: `AC${'1'.repeat(32)}`, simulated: false, apiBaseUrl: undefined });
    expect(config).toMatchObject({ TWILIO_WORKSPACE_SID: `WS${'2'.repeat(32)}`, SURVEY_TASK_QUEUE_NAME: 'Survey', SURVEY_WORKFLOW_NAME: 'Survey', SURVEY_TASK_CHANNEL: 'csat' });
    expect(() => loadProvisionFlexConfig({ TWILIO_ACCOUNT_SID: `AC${'1'.repeat(32)}` })).toThrow(/TWILIO_AUTH_TOKEN: must be set together with TWILIO_ACCOUNT_SID/);
    const failed = await runCli({ TWILIO_WORKSPACE_SID: 'WS1' });
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(/TWILIO_WORKSPACE_SID: must be a workspace sid/);
  }, 30_000);

  it('in-process, with other names: idempotent too', async () => {
    const config = loadProvisionFlexConfig({ TWILIO_API_BASE_URL: url, SURVEY_TASK_QUEUE_NAME: 'CSAT', SURVEY_WORKFLOW_NAME: 'CSAT', SURVEY_TASK_CHANNEL: 'csat' });
    const lines: string[] = [];
    const first = await provisionFlex(config, (l) => lines.push(l));
    const second = await provisionFlex(config, (l) => lines.push(l));
    expect(first.created).toHaveLength(3);
    expect(second).toEqual({ ...first, created: [] });
  });
});
