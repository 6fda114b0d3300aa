/**
 * Realistic examples of every Kafka message, for the AsyncAPI document (`npm run docs:asyncapi` puts them in
 * docs/asyncapi.yaml) and the contract tests; not part of the library's runtime code.
 */
import type { MessageExample, MessageExamples } from '../src/asyncapi.js';
import { uuidFromName } from '../src/common.js';
import type { RecordedAnswer, SurveyAnswerRecorded } from '../src/survey.js';

// One story runs through the examples: after a phone call with agent WK…, a customer with a Norwegian number gets
// survey "post-call-feedback" v3 from a subnumber, answers all six questions and completes it. The other sessions
// show the other ways a session ends. Ids derived from a name (uuidFromName) are derived exactly as in the services.

const SURVEY_ID = 'post-call-feedback';
const SURVEY_VERSION = 3;
const ACCOUNT_SID = 'AC0856966c6125d8c9da0f40675b233982';
const SUBNUMBER = '+4759440012';
const DEFAULT_SENDER = '+4759440000';

const CUSTOMER = '+4791234567';
const SESSION = 'ad5e8ee6-522a-4095-940c-df4df42c0f41';
const STARTED_AT = '2025-06-03T09:41:15.187Z';
const VARIABLES = [
  { key: 'agentId', value: 'WKeb4d54ff0812fb0e6f082ee59ebdc13a' },
  { key: 'queueKey', value: 'support-no' },
  { key: 'consumerChannel', value: 'Phone' },
  { key: 'consumerSession', value: 'CA7414c0780966ee2623ebcbe90ef233fa' },
];
const sessionRef = {
  sessionId: SESSION,
  surveyId: SURVEY_ID,
  surveyVersion: SURVEY_VERSION,
  clientReference: 'INC0041729',
  language: 'en',
  userSessionVariables: VARIABLES,
  origin: { kind: 'api' as const },
};

const FIRST_QUESTION_COMMAND = '08d216e3-97ab-4881-a10c-2099c6bbd651';
const FIRST_QUESTION_SID = 'SM4628ecde1b1b3849e982a119b49326aa';
const NEXT_QUESTION_COMMAND = '7efb81c1-fe52-46d3-aaa0-19f14c15c012';
const NPS_REPLY_SID = 'SM081e30f7db252ebd706c79b751c77adb';

/** The six answers of the completed session, one per element type that takes a reply. */
const scaleAnswer: RecordedAnswer = { elementId: 'satisfaction', elementType: 'scale', rawReply: '4', value: 4, answeredAt: '2025-06-03T09:42:03.512Z' };
const npsAnswer: RecordedAnswer = { elementId: 'recommend', elementType: 'nps', rawReply: '9', value: 9, answeredAt: '2025-06-03T09:42:41.088Z' };
const yesNoAnswer: RecordedAnswer = { elementId: 'resolved', elementType: 'yes-no', rawReply: 'Yes', value: true, answeredAt: '2025-06-03T09:43:10.275Z' };
/** Dropdown: the customer replied "2" (options are numbered from 1 in the SMS); the value is the 0-based index. */
const dropdownAnswer: RecordedAnswer = { elementId: 'contact-reason', elementType: 'dropdown', rawReply: '2', value: 1, answeredAt: '2025-06-03T09:43:37.901Z' };
/** Multiple choice: the customer replied "1, 3"; the value is the sorted, unique, 0-based indexes. */
const multipleChoiceAnswer: RecordedAnswer = {
  elementId: 'improve',
  elementType: 'multiple-choice',
  rawReply: '1, 3',
  value: [0, 2],
  answeredAt: '2025-06-03T09:44:20.634Z',
};
const freeTextAnswer: RecordedAnswer = {
  elementId: 'comments',
  elementType: 'free-text',
  rawReply: 'The agent was great, but I waited almost 20 minutes in the queue.',
  value: 'The agent was great, but I waited almost 20 minutes in the queue.',
  answeredAt: '2025-06-03T09:45:52.417Z',
};

/** Adds a few milliseconds, as between a reply being recorded and its event being created. */
function shortlyAfter(iso: string, ms = 14): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

const completedAnswers = [scaleAnswer, npsAnswer, yesNoAnswer, dropdownAnswer, multipleChoiceAnswer, freeTextAnswer];

/** The event for one of the completed session's answers, with the answers so far (this one included). */
function answerRecorded(name: string, summary: string, answer: RecordedAnswer): MessageExample<SurveyAnswerRecorded> {
  return {
    name,
    summary,
    key: SESSION,
    message: {
      type: 'survey.answer.recorded',
      schemaVersion: 1,
      id: uuidFromName(`answer:${SESSION}:${answer.elementId}:${answer.answeredAt}`),
      occurredAt: shortlyAfter(answer.answeredAt),
      payload: { ...sessionRef, answer, customer: CUSTOMER, answersSoFar: completedAnswers.slice(0, completedAnswers.indexOf(answer) + 1) },
    },
  };
}

const OPTED_OUT_SESSION = '8b9b58dc-4b74-4d64-9099-74c5953e7fd9';
const OPTED_OUT_CUSTOMER = '+4798765432';
const STOP_SID = 'SMafa2095ddaae6781db58170cecef4b17';
const ABANDONED_SESSION = '56041140-015f-43e3-bd7e-b82939dcb70d';
const EXPIRED_SESSION = '50e36750-de3d-419b-8e68-42ed4f3924c4';
const FAILED_SESSION = '890a9a4d-7372-44ac-af38-58ee02e2682d';
const FAILED_CUSTOMER = '+447700900123';
const UNDELIVERED_SID = 'SMfc5143b7a6bb4debe8992c78ad8a8abc';
const SUPERSEDED_SESSION = 'e3c0b361-5345-4e91-926c-3e1853207fb9';
const REPLACING_SESSION = '08fc4d26-29f3-4ca4-82b5-17ad3bf40f07';
const UNSUBSCRIBED_COMMAND = 'b389e54c-4d87-4b7b-8017-c77823e3545b';
const FLEX_TASK = 'WT9f1e6c3b2a0d4e8f7a6b5c4d3e2f1a0b';
const ORIGINAL_TASK = 'WT0c4e1d7b9a2f3e6d5c8b7a0f1e2d3c4b';

export const messageExamples: MessageExamples = {
  'survey.send.requested': [
    {
      name: 'sendSurveyApi',
      summary: 'SendSurvey API request after a phone call, with the Customer Insight user session variables',
      key: CUSTOMER,
      message: {
        type: 'survey.send.requested',
        schemaVersion: 1,
        id: '60c1391c-34d9-47d4-b65b-afa6e79af3c1',
        occurredAt: '2025-06-03T09:41:15.120Z',
        payload: {
          sessionId: SESSION,
          surveyId: SURVEY_ID,
          surveyVersion: SURVEY_VERSION,
          customer: CUSTOMER,
          clientReference: 'INC0041729',
          expiresAt: '2025-06-04T09:41:15.120Z',
          userSessionVariables: VARIABLES,
          content: 'Thanks for calling us today.',
          language: 'en',
          origin: { kind: 'api' },
        },
      },
    },
  ],
  'sms.inbound.received': [
    {
      name: 'npsReply',
      summary: 'The customer answers the NPS question with "9"',
      key: CUSTOMER,
      message: {
        type: 'sms.inbound.received',
        schemaVersion: 1,
        id: uuidFromName(`inbound:${NPS_REPLY_SID}`),
        occurredAt: '2025-06-03T09:42:40.962Z',
        payload: { messageSid: NPS_REPLY_SID, accountSid: ACCOUNT_SID, from: CUSTOMER, to: SUBNUMBER, body: '9', receivedAt: '2025-06-03T09:42:40.950Z' },
      },
    },
    {
      name: 'stopKeyword',
      summary: 'A customer texts STOP; Twilio Advanced Opt-Out classifies it',
      key: OPTED_OUT_CUSTOMER,
      message: {
        type: 'sms.inbound.received',
        schemaVersion: 1,
        id: uuidFromName(`inbound:${STOP_SID}`),
        occurredAt: '2025-06-03T10:02:31.447Z',
        payload: {
          messageSid: STOP_SID,
          accountSid: ACCOUNT_SID,
          from: OPTED_OUT_CUSTOMER,
          to: SUBNUMBER,
          body: 'STOP',
          optOutType: 'STOP',
          receivedAt: '2025-06-03T10:02:31.438Z',
        },
      },
    },
  ],
  'sms.status.reported': [
    {
      name: 'delivered',
      summary: 'Twilio reports the first survey question delivered to the handset',
      key: CUSTOMER,
      message: {
        type: 'sms.status.reported',
        schemaVersion: 1,
        id: uuidFromName(`status:${FIRST_QUESTION_SID}:delivered`),
        occurredAt: '2025-06-03T09:41:18.041Z',
        payload: {
          messageSid: FIRST_QUESTION_SID,
          commandId: FIRST_QUESTION_COMMAND,
          status: 'delivered',
          to: CUSTOMER,
          from: SUBNUMBER,
          reportedAt: '2025-06-03T09:41:18.034Z',
        },
      },
    },
    {
      name: 'undelivered',
      summary: 'A survey question could not be delivered (30003: destination handset unreachable)',
      key: FAILED_CUSTOMER,
      message: {
        type: 'sms.status.reported',
        schemaVersion: 1,
        id: uuidFromName(`status:${UNDELIVERED_SID}:undelivered`),
        occurredAt: '2025-06-03T11:20:09.861Z',
        payload: {
          messageSid: UNDELIVERED_SID,
          commandId: '9d8b3e35-b003-4449-98ab-4f401d6c7f39',
          status: 'undelivered',
          errorCode: 30003,
          to: FAILED_CUSTOMER,
          from: DEFAULT_SENDER,
          reportedAt: '2025-06-03T11:20:09.855Z',
        },
      },
    },
  ],
  'sms.send.requested': [
    {
      name: 'firstQuestion',
      summary: 'The first question of a new survey, with the SendSurvey `content` in front',
      key: SUBNUMBER,
      message: {
        type: 'sms.send.requested',
        schemaVersion: 1,
        id: '208eda18-352f-4ff9-8230-b175ba3a7d8b',
        occurredAt: '2025-06-03T09:41:15.201Z',
        payload: {
          commandId: FIRST_QUESTION_COMMAND,
          sessionId: SESSION,
          from: SUBNUMBER,
          to: CUSTOMER,
          body: 'Thanks for calling us today.\n\nHow satisfied were you with the help you got?\n1 = Very dissatisfied\n5 = Very satisfied\nReply with a number from 1 to 5.',
          priority: 'new-survey',
        },
      },
    },
    {
      name: 'nextQuestion',
      summary: 'The next question, sent as a reply right after the customer answered',
      key: SUBNUMBER,
      message: {
        type: 'sms.send.requested',
        schemaVersion: 1,
        id: '8e8d86a1-0f77-426d-ab55-2973acf3edf0',
        occurredAt: '2025-06-03T09:42:41.102Z',
        payload: {
          commandId: NEXT_QUESTION_COMMAND,
          sessionId: SESSION,
          from: SUBNUMBER,
          to: CUSTOMER,
          body: 'Was your issue resolved?\nReply YES or NO.',
          priority: 'reply',
        },
      },
    },
  ],
  'sms.send.accepted': [
    {
      name: 'accepted',
      summary: 'Twilio accepted the first question and returned its MessageSid',
      key: CUSTOMER,
      message: {
        type: 'sms.send.accepted',
        schemaVersion: 1,
        id: uuidFromName(`sent:${FIRST_QUESTION_COMMAND}`),
        occurredAt: '2025-06-03T09:41:15.689Z',
        payload: { commandId: FIRST_QUESTION_COMMAND, sessionId: SESSION, messageSid: FIRST_QUESTION_SID, from: SUBNUMBER, to: CUSTOMER, status: 'queued' },
      },
    },
  ],
  'sms.send.failed': [
    {
      name: 'unsubscribedRecipient',
      summary: 'Twilio refused the send (21610: the recipient has unsubscribed); retrying cannot help',
      key: '+4793456789',
      message: {
        type: 'sms.send.failed',
        schemaVersion: 1,
        id: uuidFromName(`failed:${UNSUBSCRIBED_COMMAND}`),
        occurredAt: '2025-06-03T12:07:44.530Z',
        payload: {
          commandId: UNSUBSCRIBED_COMMAND,
          sessionId: 'f322cc76-48f3-4ad9-92cc-da3ce0bd6b51',
          from: SUBNUMBER,
          to: '+4793456789',
          errorCode: 21610,
          reason: 'recipient has unsubscribed (replied STOP)',
          permanent: true,
        },
      },
    },
  ],
  'survey.answer.recorded': [
    answerRecorded('scaleAnswer', 'A scale (1–5) question answered with 4', scaleAnswer),
    answerRecorded('npsAnswer', 'An NPS (0–10) question answered with 9', npsAnswer),
    answerRecorded('yesNoAnswer', 'A yes-no question answered "Yes" (value true)', yesNoAnswer),
    answerRecorded('dropdownAnswer', 'A dropdown answered "2": the second option, 0-based index 1', dropdownAnswer),
    answerRecorded('multipleChoiceAnswer', 'A multiple-choice question answered "1, 3": 0-based indexes [0, 2]', multipleChoiceAnswer),
    answerRecorded('freeTextAnswer', 'A free-text question answered with a comment', freeTextAnswer),
  ],
  'survey.session.ended': [
    {
      name: 'completed',
      summary: 'The customer answered every question: status completed, with all six answers',
      key: SESSION,
      message: {
        type: 'survey.session.ended',
        schemaVersion: 1,
        id: uuidFromName(`ended:${SESSION}`),
        occurredAt: '2025-06-03T09:45:52.431Z',
        payload: {
          ...sessionRef,
          status: 'completed',
          customer: CUSTOMER,
          answers: completedAnswers,
          startedAt: STARTED_AT,
          endedAt: '2025-06-03T09:45:52.417Z',
        },
      },
    },
    {
      name: 'expiredWithoutAnswers',
      summary: 'A survey sent from a Flex task was never answered: status expired, `answers` empty (no score)',
      key: EXPIRED_SESSION,
      message: {
        type: 'survey.session.ended',
        schemaVersion: 1,
        id: uuidFromName(`ended:${EXPIRED_SESSION}`),
        occurredAt: '2025-06-03T14:05:10.226Z',
        payload: {
          sessionId: EXPIRED_SESSION,
          surveyId: SURVEY_ID,
          surveyVersion: SURVEY_VERSION,
          language: 'no',
          userSessionVariables: [
            { key: 'agentId', value: 'WK36b504a94d6f81d3063a343e19df9344' },
            { key: 'queueKey', value: 'sales-no' },
            { key: 'consumerChannel', value: 'Phone' },
            { key: 'consumerSession', value: 'CAf95b8f1858557c989bad2e1cc82223b1' },
          ],
          origin: { kind: 'flex-task', taskSid: 'WT7af6e40a35e1411fd7a236b66d2477ce' },
          status: 'expired',
          reason: 'expiry time reached',
          customer: '+4792345678',
          answers: [],
          startedAt: '2025-06-02T14:05:09.774Z',
          endedAt: '2025-06-03T14:05:10.212Z',
        },
      },
    },
    {
      name: 'optedOut',
      summary: 'The customer answered one question, then texted STOP: status opted-out, with the answer given so far',
      key: OPTED_OUT_SESSION,
      message: {
        type: 'survey.session.ended',
        schemaVersion: 1,
        id: uuidFromName(`ended:${OPTED_OUT_SESSION}`),
        occurredAt: '2025-06-03T10:02:31.502Z',
        payload: {
          sessionId: OPTED_OUT_SESSION,
          surveyId: SURVEY_ID,
          surveyVersion: SURVEY_VERSION,
          language: 'en',
          userSessionVariables: [
            { key: 'agentId', value: 'WKeb4d54ff0812fb0e6f082ee59ebdc13a' },
            { key: 'queueKey', value: 'support-no' },
          ],
          origin: { kind: 'api' },
          status: 'opted-out',
          reason: 'customer texted an opt-out keyword',
          customer: OPTED_OUT_CUSTOMER,
          answers: [{ elementId: 'satisfaction', elementType: 'scale', rawReply: '2', value: 2, answeredAt: '2025-06-03T10:01:12.090Z' }],
          startedAt: '2025-06-03T09:58:40.615Z',
          endedAt: '2025-06-03T10:02:31.481Z',
        },
      },
    },
    {
      name: 'abandoned',
      summary: 'Three replies in a row that do not answer the question: status abandoned',
      key: ABANDONED_SESSION,
      message: {
        type: 'survey.session.ended',
        schemaVersion: 1,
        id: uuidFromName(`ended:${ABANDONED_SESSION}`),
        occurredAt: '2025-06-03T10:31:05.318Z',
        payload: {
          sessionId: ABANDONED_SESSION,
          surveyId: SURVEY_ID,
          surveyVersion: SURVEY_VERSION,
          clientReference: 'INC0041802',
          language: 'en',
          userSessionVariables: [{ key: 'queueKey', value: 'support-no' }],
          origin: { kind: 'api' },
          status: 'abandoned',
          reason: 'too many invalid replies',
          customer: '+4790011223',
          answers: [{ elementId: 'satisfaction', elementType: 'scale', rawReply: '5', value: 5, answeredAt: '2025-06-03T10:27:48.776Z' }],
          startedAt: '2025-06-03T10:26:02.141Z',
          endedAt: '2025-06-03T10:31:05.301Z',
        },
      },
    },
    {
      name: 'failed',
      summary: 'The first question could not be delivered: status failed, no answers',
      key: FAILED_SESSION,
      message: {
        type: 'survey.session.ended',
        schemaVersion: 1,
        id: uuidFromName(`ended:${FAILED_SESSION}`),
        occurredAt: '2025-06-03T11:20:09.894Z',
        payload: {
          sessionId: FAILED_SESSION,
          surveyId: SURVEY_ID,
          surveyVersion: SURVEY_VERSION,
          language: 'en',
          userSessionVariables: [
            { key: 'queueKey', value: 'support-uk' },
            { key: 'consumerChannel', value: 'Chat' },
          ],
          origin: { kind: 'api' },
          status: 'failed',
          reason: 'SMS undelivered (Twilio error 30003)',
          customer: FAILED_CUSTOMER,
          answers: [],
          startedAt: '2025-06-03T11:20:04.310Z',
          endedAt: '2025-06-03T11:20:09.882Z',
        },
      },
    },
    {
      name: 'superseded',
      summary: 'A new survey to the same customer replaced this one: status superseded',
      key: SUPERSEDED_SESSION,
      message: {
        type: 'survey.session.ended',
        schemaVersion: 1,
        id: uuidFromName(`ended:${SUPERSEDED_SESSION}`),
        occurredAt: '2025-06-03T13:15:00.742Z',
        payload: {
          sessionId: SUPERSEDED_SESSION,
          surveyId: SURVEY_ID,
          surveyVersion: SURVEY_VERSION,
          language: 'en',
          userSessionVariables: [{ key: 'queueKey', value: 'support-se' }],
          origin: { kind: 'api' },
          status: 'superseded',
          reason: `replaced by session ${REPLACING_SESSION}`,
          customer: '+46701234567',
          answers: [{ elementId: 'satisfaction', elementType: 'scale', rawReply: '3', value: 3, answeredAt: '2025-06-03T12:48:19.305Z' }],
          startedAt: '2025-06-03T12:47:30.988Z',
          endedAt: '2025-06-03T13:15:00.729Z',
        },
      },
    },
  ],
  'flex.task.lifecycle': [
    {
      name: 'taskWrapup',
      summary: 'TaskRouter event callback: the agent wrapped up a Flex Conversations SMS task that had been transferred',
      key: FLEX_TASK,
      message: {
        type: 'flex.task.lifecycle',
        schemaVersion: 1,
        id: uuidFromName(`task-event:${FLEX_TASK}:task.wrapup`),
        occurredAt: '2025-06-03T09:41:12.000Z',
        payload: {
          eventType: 'task.wrapup',
          taskSid: FLEX_TASK,
          workspaceSid: 'WS3c1f2e9a0d5b4c7e8f9a0b1c2d3e4f5a',
          taskAttributes: {
            from: CUSTOMER,
            customerAddress: CUSTOMER,
            channelType: 'sms',
            name: CUSTOMER,
            conversationSid: 'CH5b0d9e2f7a3c4e1b8d6f0a2c4e6b8d0f',
            conversations: { conversation_id: ORIGINAL_TASK },
          },
          taskQueueSid: 'WQ8e2b7c4d1a0f3e5b6c9d8e7f6a5b4c3d',
          taskQueueName: 'support-no',
          workflowSid: 'WW1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d',
          workflowName: 'Assign to Anyone',
          taskChannelUniqueName: 'sms',
          workerSid: 'WKeb4d54ff0812fb0e6f082ee59ebdc13a',
          workerName: 'kari.nordmann',
          occurredAt: '2025-06-03T09:41:12.000Z',
        },
      },
    },
    {
      name: 'pluginTransfer',
      summary: "POST /v1/flex/survey-transfer from the seed's Flex plugin: task sid, customer address and survey sender number",
      key: FLEX_TASK,
      message: {
        type: 'flex.task.lifecycle',
        schemaVersion: 1,
        id: uuidFromName(`task-event:${FLEX_TASK}:plugin.transfer`),
        occurredAt: '2025-06-03T09:41:12.730Z',
        payload: {
          eventType: 'plugin.transfer',
          taskSid: FLEX_TASK,
          taskAttributes: { customerAddress: CUSTOMER },
          surveySenderNumber: DEFAULT_SENDER,
          occurredAt: '2025-06-03T09:41:12.730Z',
        },
      },
    },
  ],
};
