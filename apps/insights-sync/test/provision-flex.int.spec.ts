import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '@sms-survey/service-kit';
import { createTwilioClient, ensureSurveyTaskRouter, type TwilioClient } from '@sms-survey/twilio';
import { buildSimulator, type Simulator } from '@sms-survey/twilio-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProvisionFlexConfig } from '../src/cli/provision-flex-config.js';
import { EXIT_NOT_AS_REQUIRED, parseProvisionFlexArgs, provisionFlex } from '../src/provision-flex.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Runs `npm run provision-flex`'s script as the root package.json does (tsx), with only the given variables set. */
function runCli(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/insights-sync/src/cli/provision-flex.ts', ...args], {
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

const lineOf = (output: string, kind: string) => output.split('\n').find((l) => l.startsWith(`${kind} `)) ?? '';

async function startSimulator(): Promise<{ simulator: Simulator; url: string; twilio: TwilioClient }> {
  const simulator = buildSimulator({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN });
  const url = await simulator.app.listen({ host: '127.0.0.1', port: 0 });
  return { simulator, url, twilio: createTwilioClient({ accountSid: SIMULATOR_ACCOUNT_SID, authToken: SIMULATOR_AUTH_TOKEN, apiBaseUrl: url, timeoutMs: 3000 }) };
}

describe('npm run provision-flex', () => {
  let simulator: Simulator;
  let url: string;

  beforeAll(async () => {
    ({ simulator, url } = await startSimulator());
  });

  afterAll(async () => {
    await simulator?.app.close();
  });

  it('run twice against the simulator: the first creates queue, workflow and channel, the second finds them fine, same sids', async () => {
    const first = await runCli({ TWILIO_API_BASE_URL: url });
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(`Twilio simulator at ${url}`);
    expect(first.output).toMatch(/created 3: TaskQueue WQ\w+, Workflow WW\w+, TaskChannel TC\w+/);
    expect(lineOf(first.output, 'TaskQueue')).toMatch(/"Survey"  target workers "1 == 0"  created$/);
    const sids = sidsIn(first.output);
    expect(sids.queue && sids.workflow && sids.channel).toBeTruthy();

    const state = simulator.state;
    expect(state.taskQueues.find((q) => q.sid === sids.queue)).toMatchObject({ friendlyName: 'Survey', targetWorkers: '1 == 0' });
    const workflow = state.workflows.find((w) => w.sid === sids.workflow)!;
    expect(workflow).toMatchObject({ friendlyName: 'Survey', taskReservationTimeout: 3 });
    expect(JSON.parse(workflow.configuration).task_routing.filters[0].targets).toEqual([{ queue: sids.queue, timeout: 3 }]);
    expect(state.taskChannels.find((c) => c.sid === sids.channel)).toMatchObject({ uniqueName: 'survey', friendlyName: 'Survey' });

    const second = await runCli({ TWILIO_API_BASE_URL: url });
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('nothing to create: already provisioned, all found and fine');
    expect(lineOf(second.output, 'TaskQueue')).toBe(`TaskQueue    ${sids.queue}  "Survey"  target workers "1 == 0"  found, fine`);
    expect(lineOf(second.output, 'Workflow')).toBe(
      `Workflow     ${sids.workflow}  "Survey"  filter "Survey" → "Survey" ${sids.queue} (timeout 3 s); default → "Survey" ${sids.queue}; task reservation timeout 3 s  found, fine`,
    );
    expect(lineOf(second.output, 'TaskChannel')).toBe(`TaskChannel  ${sids.channel}  "survey"  friendly name "Survey"  found, fine`);
    expect(sidsIn(second.output)).toEqual(sids);
    expect(state.taskQueues).toHaveLength(1);
    expect(state.workflows).toHaveLength(1);
    expect(state.taskChannels.filter((c) => c.uniqueName === 'survey')).toHaveLength(1);
    expect(second.output).toContain(`TWILIO_SURVEY_WORKFLOW_SID=${sids.workflow}`);
  }, 60_000);

  it("takes a real account's credentials, names and workspace from the environment, and rejects half a pair and unknown flags", async () => {
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

    const unknownFlag = await runCli({ TWILIO_API_BASE_URL: url }, ['--fxi']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.output).toMatch(/^unknown argument --fxi\nusage: npm run provision-flex/);
    expect(parseProvisionFlexArgs(['--dry-run', '--fix'])).toEqual({ ok: true, options: { fix: true, dryRun: true } });
    expect(parseProvisionFlexArgs(['--help'])).toEqual({ ok: false, help: true });
  }, 30_000);

  it('in-process, with other names: idempotent too', async () => {
    const config = loadProvisionFlexConfig({ TWILIO_API_BASE_URL: url, SURVEY_TASK_QUEUE_NAME: 'CSAT', SURVEY_WORKFLOW_NAME: 'CSAT', SURVEY_TASK_CHANNEL: 'csat' });
    const lines: string[] = [];
    const first = await provisionFlex(config, { fix: false, dryRun: false }, (l) => lines.push(l));
    const second = await provisionFlex(config, { fix: true, dryRun: false }, (l) => lines.push(l));
    expect(first.exitCode).toBe(0);
    expect(first.result?.created).toHaveLength(3);
    expect(second.exitCode).toBe(0);
    expect(second.result).toEqual({ ...first.result, created: [] });
  });
});

describe('npm run provision-flex on a workspace that differs (issue 17)', () => {
  let simulator: Simulator;
  let url: string;
  let twilio: TwilioClient;
  let ids: { survey: string; support: string; workflow: string; channel: string };

  beforeAll(async () => {
    ({ simulator, url, twilio } = await startSimulator());
    // What was found in the field: a "Survey" queue every agent matches, and a "Survey" workflow routing to
    // another queue with TaskRouter's default 120 s reservation timeout.
    const ws = twilio.taskrouter.v1.workspaces(simulator.state.defaultWorkspaceSid);
    const support = await ws.taskQueues.create({ friendlyName: 'Support', targetWorkers: '1 == 1' });
    const survey = await ws.taskQueues.create({ friendlyName: 'Survey', targetWorkers: '1 == 1' });
    const configuration = { task_routing: { filters: [{ filter_friendly_name: 'Everything', expression: '1 == 1', targets: [{ queue: support.sid }] }], default_filter: { queue: support.sid } } };
    const workflow = await ws.workflows.create({ friendlyName: 'Survey', configuration: JSON.stringify(configuration), taskReservationTimeout: 120 });
    const channel = await ws.taskChannels.create({ friendlyName: 'Survey', uniqueName: 'survey' });
    ids = { survey: survey.sid, support: support.sid, workflow: workflow.sid, channel: channel.sid };
  });

  afterAll(async () => {
    await simulator?.app.close();
  });

  const writes = () => simulator.state.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/taskrouter/'));

  it("insights-sync's ensureSurveyTaskRouter uses what it finds, changes nothing and lists the differences (it logs them)", async () => {
    const ensured = await ensureSurveyTaskRouter(twilio, simulator.state.defaultWorkspaceSid);
    expect(ensured).toMatchObject({ queueSid: ids.survey, workflowSid: ids.workflow, channelSid: ids.channel, created: [], updated: [] });
    expect(ensured.differences).toEqual([
      { kind: 'TaskQueue', sid: ids.survey, differences: [{ field: 'target workers', found: '"1 == 1"', required: '"1 == 0"' }] },
      { kind: 'Workflow', sid: ids.workflow, differences: [expect.objectContaining({ field: 'routing' }), { field: 'task reservation timeout', found: '120 s', required: '3 s' }] },
    ]);
    expect(simulator.state.taskQueues.find((q) => q.sid === ids.survey)?.targetWorkers).toBe('1 == 1');
  });

  it('reports what it found, changes nothing and exits 3 without --fix; --dry-run --fix prints the plan; --fix updates; then all fine', async () => {
    const before = writes().length;
    const check = await runCli({ TWILIO_API_BASE_URL: url });
    expect(check.code, check.output).toBe(EXIT_NOT_AS_REQUIRED);
    expect(lineOf(check.output, 'TaskQueue')).toBe(`TaskQueue    ${ids.survey}  "Survey"  target workers "1 == 1"  found, DIFFERS: not changed (--fix updates it)`);
    expect(check.output).toContain('target workers: found "1 == 1"; required "1 == 0"');
    expect(lineOf(check.output, 'Workflow')).toBe(
      `Workflow     ${ids.workflow}  "Survey"  filter "Everything" → "Support" ${ids.support}; default → "Support" ${ids.support}; task reservation timeout 120 s  found, DIFFERS: not changed (--fix updates it)`,
    );
    expect(check.output).toContain(
      `routing: found filter "Everything" → "Support" ${ids.support}; default → "Support" ${ids.support}; required every filter target and the default filter → "Survey" ${ids.survey}`,
    );
    expect(check.output).toContain('task reservation timeout: found 120 s; required 3 s');
    expect(lineOf(check.output, 'TaskChannel')).toMatch(/found, fine$/);
    expect(check.output).toContain(
      `2 differ from what survey tasks need, not changed: TaskQueue ${ids.survey} (target workers), Workflow ${ids.workflow} (routing, task reservation timeout); run with --fix`,
    );
    expect(check.output).not.toContain('(1 == 0)');
    expect(check.output).not.toContain('TWILIO_SURVEY_WORKFLOW_SID');
    expect(writes()).toHaveLength(before);

    const dryRun = await runCli({ TWILIO_API_BASE_URL: url }, ['--dry-run', '--fix']);
    expect(dryRun.code, dryRun.output).toBe(EXIT_NOT_AS_REQUIRED);
    expect(lineOf(dryRun.output, 'TaskQueue')).toMatch(/target workers "1 == 1"  found, differs: would be updated$/);
    expect(lineOf(dryRun.output, 'Workflow')).toMatch(/task reservation timeout 120 s  found, differs: would be updated$/);
    expect(dryRun.output).toContain(
      `dry run, nothing changed; the plan: update TaskQueue ${ids.survey} (target workers), update Workflow ${ids.workflow} (routing, task reservation timeout)`,
    );
    expect(writes()).toHaveLength(before);
    expect(simulator.state.taskQueues.find((q) => q.sid === ids.survey)?.targetWorkers).toBe('1 == 1');

    const fix = await runCli({ TWILIO_API_BASE_URL: url }, ['--fix']);
    expect(fix.code, fix.output).toBe(0);
    expect(lineOf(fix.output, 'TaskQueue')).toMatch(/target workers "1 == 1"  found, differs: updated$/);
    expect(fix.output).toContain(`updated 2: TaskQueue ${ids.survey}, Workflow ${ids.workflow}`);
    expect(fix.output).toContain(`TWILIO_SURVEY_WORKFLOW_SID=${ids.workflow}`);
    // Update calls, not new resources: the same sids, now as survey tasks need them.
    expect(writes().slice(before).map((r) => r.path)).toEqual([
      `/taskrouter/v1/Workspaces/${simulator.state.defaultWorkspaceSid}/TaskQueues/${ids.survey}`,
      `/taskrouter/v1/Workspaces/${simulator.state.defaultWorkspaceSid}/Workflows/${ids.workflow}`,
    ]);
    expect(simulator.state.taskQueues.find((q) => q.sid === ids.survey)).toMatchObject({ friendlyName: 'Survey', targetWorkers: '1 == 0' });
    const workflow = simulator.state.workflows.find((w) => w.sid === ids.workflow)!;
    expect(workflow.taskReservationTimeout).toBe(3);
    expect(JSON.parse(workflow.configuration)).toEqual({
      task_routing: { filters: [{ filter_friendly_name: 'Survey', expression: '1 == 1', targets: [{ queue: ids.survey, timeout: 3 }] }], default_filter: { queue: ids.survey } },
    });
    expect(simulator.state.taskQueues).toHaveLength(2);
    expect(simulator.state.workflows).toHaveLength(1);

    const again = await runCli({ TWILIO_API_BASE_URL: url });
    expect(again.code, again.output).toBe(0);
    expect(['TaskQueue', 'Workflow', 'TaskChannel'].map((kind) => lineOf(again.output, kind))).toEqual([
      expect.stringMatching(/found, fine$/),
      expect.stringMatching(/found, fine$/),
      expect.stringMatching(/found, fine$/),
    ]);
    expect(again.output).toContain('nothing to create: already provisioned, all found and fine');
  }, 60_000);

  it('updates only the field that differs, and a dry run on a missing queue creates nothing', async () => {
    const workspaceSid = simulator.state.defaultWorkspaceSid;
    await twilio.taskrouter.v1.workspaces(workspaceSid).workflows(ids.workflow).update({ taskReservationTimeout: 30 });
    const config = loadProvisionFlexConfig({ TWILIO_API_BASE_URL: url });
    const lines: string[] = [];
    const fixed = await provisionFlex(config, { fix: true, dryRun: false }, (l) => lines.push(l));
    expect(fixed.exitCode).toBe(0);
    expect(fixed.result?.updated).toEqual([`Workflow ${ids.workflow}`]);
    expect(lines).toContain('             task reservation timeout: found 30 s; required 3 s');
    expect(simulator.state.requests.at(-1)).toMatchObject({ method: 'POST', params: { TaskReservationTimeout: '3' } });

    // Other names: nothing exists yet; the dry run lists what it would create and exits 3.
    const other = loadProvisionFlexConfig({ TWILIO_API_BASE_URL: url, SURVEY_TASK_QUEUE_NAME: 'CSAT', SURVEY_WORKFLOW_NAME: 'Survey', SURVEY_TASK_CHANNEL: 'csat' });
    const before = writes().length;
    const planLines: string[] = [];
    const dry = await provisionFlex(other, { fix: false, dryRun: true }, (l) => planLines.push(l));
    expect(dry.exitCode).toBe(EXIT_NOT_AS_REQUIRED);
    expect(writes()).toHaveLength(before);
    expect(planLines).toContain('TaskQueue    (new)  "CSAT"  target workers "1 == 0"  not found: would be created');
    expect(planLines).toContain('             routing: found filter "Survey" → "Survey" ' + ids.survey + ' (timeout 3 s); default → "Survey" ' + ids.survey + '; required every filter target and the default filter → "CSAT" (to be created)');
    expect(planLines.at(-2)).toBe('dry run, nothing changed; the plan: create TaskQueue "CSAT", create TaskChannel "csat"');
    expect(planLines.at(-1)).toMatch(/^1 differs from what survey tasks need, not changed: Workflow WW\w+ \(routing\); run with --fix/);
  });
});
