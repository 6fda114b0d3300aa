import { MAX_TASK_PRIORITY, MAX_TASK_TIMEOUT_SECONDS } from './survey-definition.js';

/** TaskRouter rejects task attributes whose JSON is larger than this (16 KB). */
export const MAX_TASK_ATTRIBUTES_BYTES = 16 * 1024;

export interface TaskRequestToCheck {
  attributes: unknown;
  priority?: number | undefined;
  timeout?: number | undefined;
}

/**
 * What TaskRouter would reject in a create-task request, checked before it is sent: attributes must be a JSON
 * object of at most 16 KB (UTF-8), priority an integer from 0 to 2³¹−1, timeout an integer from 1 to 1,209,600
 * seconds (two weeks). Returns every problem; empty when the request is fine.
 */
export function taskRequestProblems(request: TaskRequestToCheck): string[] {
  const problems: string[] = [];
  const { attributes, priority, timeout } = request;
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    problems.push('attributes: must be a JSON object');
  } else {
    let json: string | undefined;
    try {
      json = JSON.stringify(attributes);
    } catch (error) {
      problems.push(`attributes: cannot be written as JSON (${(error as Error).message})`);
    }
    if (json !== undefined) {
      const bytes = new TextEncoder().encode(json).length;
      if (bytes > MAX_TASK_ATTRIBUTES_BYTES) {
        problems.push(`attributes: ${bytes} bytes of JSON; TaskRouter accepts at most ${MAX_TASK_ATTRIBUTES_BYTES} (16 KB)`);
      }
    }
  }
  if (priority !== undefined && (!Number.isInteger(priority) || priority < 0 || priority > MAX_TASK_PRIORITY)) {
    problems.push(`priority: ${priority} is not an integer from 0 to ${MAX_TASK_PRIORITY}`);
  }
  if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TASK_TIMEOUT_SECONDS)) {
    problems.push(`timeout: ${timeout} is not a whole number of seconds from 1 to ${MAX_TASK_TIMEOUT_SECONDS} (two weeks)`);
  }
  return problems;
}
