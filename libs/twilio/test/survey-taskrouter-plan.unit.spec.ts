import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SURVEY_TASKROUTER_NAMES as NAMES,
  alreadyInRequiredState,
  describeRouting,
  parseRouting,
  planSurveyTaskRouter,
  queueDifferences,
  reachesRequiredState,
  surveyWorkflowConfiguration,
  workflowDifferences,
  type FoundTaskQueue,
  type FoundWorkflow,
  type SurveyTaskRouterSnapshot,
} from '../src/index.js';

const sid = (prefix: string, n: number) => `${prefix}${String(n).padStart(32, '0')}`;
const SURVEY_Q = sid('WQ', 1);
const SUPPORT_Q = sid('WQ', 2);
const surveyQueue: FoundTaskQueue = { sid: SURVEY_Q, friendlyName: 'Survey', targetWorkers: '1 == 0' };
const supportQueue: FoundTaskQueue = { sid: SUPPORT_Q, friendlyName: 'Support', targetWorkers: 'skills HAS "support"' };
const surveyWorkflow: FoundWorkflow = {
  sid: sid('WW', 1),
  friendlyName: 'Survey',
  configuration: JSON.stringify(surveyWorkflowConfiguration(SURVEY_Q)),
  taskReservationTimeout: 3,
};
const channel = { sid: sid('TC', 1), uniqueName: 'survey', friendlyName: 'Survey' };
const provisioned: SurveyTaskRouterSnapshot = { queues: [supportQueue, surveyQueue], workflows: [surveyWorkflow], channels: [channel] };

describe('what the Survey TaskQueue needs', () => {
  it('is the target workers expression 1 == 0, spacing aside', () => {
    expect(queueDifferences(surveyQueue)).toEqual([]);
    expect(queueDifferences({ ...surveyQueue, targetWorkers: '1==0' })).toEqual([]);
    expect(queueDifferences({ ...surveyQueue, targetWorkers: '1 == 1' })).toEqual([{ field: 'target workers', found: '"1 == 1"', required: '"1 == 0"' }]);
    expect(queueDifferences({ ...surveyQueue, targetWorkers: null })).toEqual([{ field: 'target workers', found: '(none)', required: '"1 == 0"' }]);
  });
});

describe('what the Survey Workflow needs', () => {
  it('is every filter target and the default filter routing to the Survey queue, and a 3 s reservation timeout', () => {
    expect(workflowDifferences(surveyWorkflow, SURVEY_Q, provisioned.queues)).toEqual([]);
    // Another layout that sends every task to the Survey queue is as good.
    const defaultOnly = JSON.stringify({ task_routing: { filters: [], default_filter: { queue: SURVEY_Q } } });
    expect(workflowDifferences({ ...surveyWorkflow, configuration: defaultOnly }, SURVEY_Q, provisioned.queues)).toEqual([]);
  });

  it('reports the routing and the timeout found, not the ones required (the issue 17 workspace)', () => {
    const toSupport = JSON.stringify({
      task_routing: { filters: [{ filter_friendly_name: 'All', expression: '1 == 1', targets: [{ queue: SUPPORT_Q, timeout: 120 }] }], default_filter: { queue: SUPPORT_Q } },
    });
    expect(workflowDifferences({ ...surveyWorkflow, configuration: toSupport, taskReservationTimeout: 120 }, SURVEY_Q, provisioned.queues)).toEqual([
      {
        field: 'routing',
        found: `filter "All" → "Support" ${SUPPORT_Q} (timeout 120 s); default → "Support" ${SUPPORT_Q}`,
        required: `every filter target and the default filter → "Survey" ${SURVEY_Q}`,
      },
      { field: 'task reservation timeout', found: '120 s', required: '3 s' },
    ]);
  });

  it('finds a single step elsewhere, a missing default filter, a step without a queue, and configuration that is not JSON', () => {
    const differsIn = (configuration: string) => workflowDifferences({ ...surveyWorkflow, configuration }, SURVEY_Q, provisioned.queues).map((d) => d.found);
    const oneFilterElsewhere = {
      task_routing: {
        filters: [
          { filter_friendly_name: 'VIP', expression: 'vip == true', targets: [{ queue: SUPPORT_Q }] },
          { expression: '1 == 1', targets: [{ queue: SURVEY_Q, timeout: 3 }] },
        ],
        default_filter: { queue: SURVEY_Q },
      },
    };
    expect(differsIn(JSON.stringify(oneFilterElsewhere))).toEqual([
      `filter "VIP" → "Support" ${SUPPORT_Q}; filter 2 → "Survey" ${SURVEY_Q} (timeout 3 s); default → "Survey" ${SURVEY_Q}`,
    ]);
    expect(differsIn(JSON.stringify({ task_routing: { filters: [{ targets: [{ queue: SURVEY_Q }] }] } }))).toEqual([
      `filter 1 → "Survey" ${SURVEY_Q}; no default filter`,
    ]);
    expect(differsIn(JSON.stringify({ task_routing: { filters: [{ targets: [{ known_worker: 'x' }] }], default_filter: { queue: SURVEY_Q } } }))).toEqual([
      `filter 1 → no queue; default → "Survey" ${SURVEY_Q}`,
    ]);
    expect(differsIn(JSON.stringify({ task_routing: { default_filter: { queue: sid('WQ', 9) } } }))).toEqual([
      `default → ${sid('WQ', 9)} (not a queue of this workspace)`,
    ]);
    expect(differsIn('{not json')).toEqual(['configuration is not valid JSON']);
    expect(differsIn('{}')).toEqual(['configuration has no task_routing']);
    expect(differsIn('{"task_routing":{}}')).toEqual(['no filters and no default filter']);
  });

  it('cannot route right while the Survey queue does not exist', () => {
    expect(workflowDifferences(surveyWorkflow, undefined, [])).toEqual([
      { field: 'routing', found: `filter "Survey" → ${SURVEY_Q} (not a queue of this workspace) (timeout 3 s); default → ${SURVEY_Q} (not a queue of this workspace)`, required: 'every filter target and the default filter → "Survey" (to be created)' },
    ]);
  });

  it('parses the routing steps in order', () => {
    expect(parseRouting(JSON.stringify(surveyWorkflowConfiguration(SURVEY_Q)))).toEqual({
      ok: true,
      hasDefault: true,
      steps: [{ from: 'filter "Survey"', queue: SURVEY_Q, timeout: 3 }, { from: 'default', queue: SURVEY_Q }],
    });
    expect(describeRouting(surveyWorkflow.configuration, provisioned.queues)).toBe(`filter "Survey" → "Survey" ${SURVEY_Q} (timeout 3 s); default → "Survey" ${SURVEY_Q}`);
  });
});

describe('planSurveyTaskRouter', () => {
  it('an empty workspace: create all three', () => {
    const plan = planSurveyTaskRouter({ queues: [supportQueue], workflows: [], channels: [] }, NAMES, { fix: false });
    expect(plan).toEqual({
      queue: { kind: 'TaskQueue', name: 'Survey', action: 'create' },
      workflow: { kind: 'Workflow', name: 'Survey', action: 'create' },
      channel: { kind: 'TaskChannel', name: 'survey', action: 'create' },
    });
    expect(reachesRequiredState(plan)).toBe(true);
    expect(alreadyInRequiredState(plan)).toBe(false);
  });

  it('a provisioned workspace: everything fine, described as found', () => {
    const plan = planSurveyTaskRouter(provisioned, NAMES, { fix: false });
    expect(plan.queue).toEqual({ kind: 'TaskQueue', name: 'Survey', action: 'fine', sid: SURVEY_Q, found: 'target workers "1 == 0"', differences: [], sameName: [] });
    expect(plan.workflow).toMatchObject({ action: 'fine', sid: surveyWorkflow.sid, found: `filter "Survey" → "Survey" ${SURVEY_Q} (timeout 3 s); default → "Survey" ${SURVEY_Q}; task reservation timeout 3 s` });
    expect(plan.channel).toMatchObject({ action: 'fine', sid: channel.sid, found: 'friendly name "Survey"' });
    expect(alreadyInRequiredState(plan)).toBe(true);
  });

  it('a drifted workspace: differs without fix (the required state is not reached), update with it', () => {
    const drifted: SurveyTaskRouterSnapshot = {
      ...provisioned,
      queues: [supportQueue, { ...surveyQueue, targetWorkers: '1 == 1' }],
      workflows: [{ ...surveyWorkflow, taskReservationTimeout: 120 }],
    };
    const report = planSurveyTaskRouter(drifted, NAMES, { fix: false });
    expect(report.queue).toMatchObject({ action: 'differs', found: 'target workers "1 == 1"', differences: [{ field: 'target workers', found: '"1 == 1"' }] });
    expect(report.workflow).toMatchObject({ action: 'differs', found: expect.stringMatching(/task reservation timeout 120 s$/), differences: [{ field: 'task reservation timeout', found: '120 s' }] });
    expect(report.channel.action).toBe('fine');
    expect(reachesRequiredState(report)).toBe(false);

    const fix = planSurveyTaskRouter(drifted, NAMES, { fix: true });
    expect([fix.queue.action, fix.workflow.action, fix.channel.action]).toEqual(['update', 'update', 'fine']);
    expect(reachesRequiredState(fix)).toBe(true);
    expect(alreadyInRequiredState(fix)).toBe(false);
  });

  it('a workflow found while its queue is missing: create the queue, the workflow differs in its routing', () => {
    const plan = planSurveyTaskRouter({ queues: [supportQueue], workflows: [surveyWorkflow], channels: [channel] }, NAMES, { fix: true });
    expect(plan.queue.action).toBe('create');
    expect(plan.workflow).toMatchObject({ action: 'update', differences: [{ field: 'routing', required: expect.stringContaining('to be created') }] });
  });

  it('finds by exact name, uses the first of several with the name and lists the others', () => {
    const second = { ...surveyQueue, sid: sid('WQ', 3), targetWorkers: '1 == 1' };
    const plan = planSurveyTaskRouter(
      { ...provisioned, queues: [{ ...surveyQueue, friendlyName: 'survey' }, surveyQueue, second], workflows: [{ ...surveyWorkflow, friendlyName: 'Survey 2' }, surveyWorkflow] },
      NAMES,
      { fix: false },
    );
    expect(plan.queue).toMatchObject({ action: 'fine', sid: SURVEY_Q, sameName: [second.sid] });
    expect(plan.workflow).toMatchObject({ action: 'fine', sid: surveyWorkflow.sid, sameName: [] });
  });

  it('with other names', () => {
    const names = { queue: 'CSAT', workflow: 'CSAT flow', channel: 'csat' };
    const plan = planSurveyTaskRouter(provisioned, names, { fix: false });
    expect([plan.queue, plan.workflow, plan.channel].map((s) => [s.action, s.name])).toEqual([['create', 'CSAT'], ['create', 'CSAT flow'], ['create', 'csat']]);
  });
});
