import { describe, expect, it } from 'vitest';
import { checkRequestParams, loadContracts } from '../src/index.js';
import { countSegments } from '../src/segments.js';

const contracts = loadContracts();
const contract = (id: Parameters<typeof contracts.get>[0]) => {
  const found = contracts.get(id);
  if (!found) throw new Error(`no contract ${id}`);
  return found;
};

describe('contracts extracted from the Twilio specs', () => {
  it('knows the required parameters', () => {
    expect(contract('CreateMessage').required).toEqual(['To']);
    expect(contract('CreateWorkflow').required.sort()).toEqual(['Configuration', 'FriendlyName']);
    expect(contract('CreateTaskChannel').required.sort()).toEqual(['FriendlyName', 'UniqueName']);
    expect(contract('CreateTask').required).toEqual([]);
    expect(contract('UpdateTaskQueue').required).toEqual([]);
    expect([...contract('UpdateWorkflow').params.keys()]).toEqual(expect.arrayContaining(['Configuration', 'TaskReservationTimeout', 'ReEvaluateTasks']));
  });

  it('resolves enum references', () => {
    expect(contract('UpdateTask').params.get('AssignmentStatus')?.enum).toEqual(
      expect.arrayContaining(['pending', 'reserved', 'assigned', 'canceled', 'completed', 'wrapping']),
    );
    expect(contract('CreateTaskQueue').params.get('TaskOrder')?.enum).toEqual(['FIFO', 'LIFO']);
  });

  it('accepts a valid request and reports the first violation otherwise', () => {
    const createTask = contract('CreateTask');
    expect(checkRequestParams(createTask, { Attributes: '{}', Priority: '3', WorkflowSid: `WW${'a'.repeat(32)}` })).toBeUndefined();
    expect(checkRequestParams(createTask, { Prio: '3' })).toMatchObject({ kind: 'unknown', param: 'Prio' });
    expect(checkRequestParams(createTask, { Priority: 'high' })).toMatchObject({ kind: 'type', param: 'Priority' });
    expect(checkRequestParams(createTask, { WorkflowSid: 'WWnot-a-sid' })).toMatchObject({ kind: 'type', param: 'WorkflowSid' });
    expect(checkRequestParams(contract('UpdateTask'), { AssignmentStatus: 'done' })).toMatchObject({ kind: 'enum', param: 'AssignmentStatus' });
    expect(checkRequestParams(contract('CreateMessage'), { Body: 'x' })).toMatchObject({ kind: 'missing', param: 'To' });
    expect(checkRequestParams(contract('CreateMessage'), { To: '+1', SmartEncoded: 'yes' })).toMatchObject({ kind: 'type', param: 'SmartEncoded' });
  });
});

describe('countSegments', () => {
  it.each([
    ['', 1],
    ['a'.repeat(160), 1],
    ['a'.repeat(161), 2],
    ['a'.repeat(306), 2],
    ['a'.repeat(307), 3],
    ['€'.repeat(80), 1],
    ['€'.repeat(81), 2],
    ['😀'.repeat(35), 1],
    ['😀'.repeat(36), 2],
  ])('%#: counts segments', (body, expected) => {
    expect(countSegments(body)).toBe(expected);
  });
});
