import { twilioClientFor, ensureSurveyTaskRouter, resolveWorkspaceSid, type SurveyTaskRouter } from '@sms-survey/twilio';
import type { ProvisionFlexConfig } from './cli/provision-flex-config.js';

/**
 * Finds or creates what survey tasks need in the Flex workspace (seed 000's "Survey TaskRouter Setup"): the
 * Survey TaskQueue (`1 == 0`, so no agent ever gets a survey task), the Survey Workflow (3 s timeout, routing
 * to that queue) and the survey TaskChannel. Idempotent: a second run creates nothing and finds the same sids.
 */
export async function provisionFlex(config: ProvisionFlexConfig, print: (line: string) => void = console.log): Promise<SurveyTaskRouter> {
  const client = twilioClientFor(config.twilio);
  print(config.twilio.simulated ? `Twilio simulator at ${config.twilio.apiBaseUrl} (no TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN set)` : `Twilio account ${config.twilio.accountSid}`);
  const workspaceSid = await resolveWorkspaceSid(client, config.TWILIO_WORKSPACE_SID);
  const result = await ensureSurveyTaskRouter(client, workspaceSid, {
    queue: config.SURVEY_TASK_QUEUE_NAME,
    workflow: config.SURVEY_WORKFLOW_NAME,
    channel: config.SURVEY_TASK_CHANNEL,
  });
  const createdOrFound = (kind: string) => (result.created.some((c) => c.startsWith(`${kind} `)) ? 'created' : 'found');
  print(`Workspace    ${result.workspaceSid}`);
  print(`TaskQueue    ${result.queueSid}  "${config.SURVEY_TASK_QUEUE_NAME}" (1 == 0)  ${createdOrFound('TaskQueue')}`);
  print(`Workflow     ${result.workflowSid}  "${config.SURVEY_WORKFLOW_NAME}" (timeout 3 s)  ${createdOrFound('Workflow')}`);
  print(`TaskChannel  ${result.channelSid}  "${result.channelUniqueName}"  ${createdOrFound('TaskChannel')}`);
  print(result.created.length ? `created ${result.created.length}: ${result.created.join(', ')}` : 'nothing to create: already provisioned');
  print(`insights-sync: TWILIO_WORKSPACE_SID=${result.workspaceSid} TWILIO_SURVEY_WORKFLOW_SID=${result.workflowSid} SURVEY_TASK_CHANNEL=${result.channelUniqueName}`);
  return result;
}
