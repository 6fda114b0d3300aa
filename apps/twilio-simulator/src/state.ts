import type { Params } from './params.js';
import { newSid, stableSid } from './sids.js';

export interface RecordedRequest {
  /** Epoch milliseconds when the request arrived. */
  time: number;
  method: string;
  path: string;
  /** The `From` parameter, when the request had one. */
  from?: string;
  /** Query and body parameters together. */
  params: Params;
  statusCode?: number;
  /** Held by an ApiDelay ('before') and dropped unhandled because the client had gone by then. */
  dropped?: boolean;
}

export type MessageStatus = 'accepted' | 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'received';

export interface SimMessage {
  sid: string;
  accountSid: string;
  direction: 'outbound-api' | 'inbound';
  from: string | null;
  to: string;
  body: string;
  status: MessageStatus;
  numSegments: number;
  numMedia: number;
  messagingServiceSid: string | null;
  statusCallback: string | null;
  validityPeriod: number | null;
  errorCode: number | null;
  errorMessage: string | null;
  dateCreated: Date;
  dateUpdated: Date;
  dateSent: Date | null;
}

export interface StatusCallbackDelivery {
  messageSid: string;
  url: string;
  messageStatus: MessageStatus;
  time: number;
  attempts: number;
  delivered: boolean;
  /** HTTP status of the last attempt, when the receiver answered. */
  responseStatus?: number;
  error?: string;
}

export interface SimActivity {
  sid: string;
  friendlyName: string;
  available: boolean;
}

export interface SimWorkspace {
  sid: string;
  friendlyName: string;
  activities: SimActivity[];
  defaultActivitySid: string;
  timeoutActivitySid: string;
  eventCallbackUrl: string | null;
  dateCreated: Date;
  dateUpdated: Date;
}

export type TaskAssignmentStatus = 'pending' | 'reserved' | 'assigned' | 'canceled' | 'completed' | 'wrapping';

export interface SimTask {
  sid: string;
  workspaceSid: string;
  attributes: string;
  assignmentStatus: TaskAssignmentStatus;
  priority: number;
  timeout: number;
  reason: string | null;
  workflowSid: string;
  workflowFriendlyName: string;
  taskQueueSid: string | null;
  taskQueueFriendlyName: string | null;
  taskChannelSid: string;
  taskChannelUniqueName: string;
  taskQueueEnteredDate: Date | null;
  virtualStartTime: Date;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface SimTaskQueue {
  sid: string;
  workspaceSid: string;
  friendlyName: string;
  targetWorkers: string;
  maxReservedWorkers: number;
  taskOrder: string;
  reservationActivitySid: string | null;
  assignmentActivitySid: string | null;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface SimWorkflow {
  sid: string;
  workspaceSid: string;
  friendlyName: string;
  configuration: string;
  taskReservationTimeout: number;
  assignmentCallbackUrl: string | null;
  fallbackAssignmentCallbackUrl: string | null;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface SimTaskChannel {
  sid: string;
  workspaceSid: string;
  friendlyName: string;
  uniqueName: string;
  channelOptimizedRouting: boolean;
  dateCreated: Date;
  dateUpdated: Date;
}

export interface SimWorker {
  sid: string;
  workspaceSid: string;
  friendlyName: string;
  attributes: string;
  activitySid: string;
  dateCreated: Date;
  dateUpdated: Date;
  dateStatusChanged: Date;
}

/** Makes the next `remaining` API requests that match fail with this status and Twilio error code. */
export interface ApiFault {
  status: number;
  code: number;
  message: string;
  method?: string;
  pathContains?: string;
  remaining: number;
}

/** Messages to this number end `undelivered`/`failed` with this error code instead of `delivered`. */
export interface DeliveryFault {
  to: string;
  status: 'undelivered' | 'failed';
  errorCode: number;
}

/**
 * Holds matching API requests for `delayMs`, `remaining` times. `before`: the request waits before Twilio
 * handles it, and is dropped unhandled if the client has gone by then (as if it never reached Twilio).
 * `after`: Twilio handles it at once (a message is created) and the answer is held back.
 */
export interface ApiDelay {
  delayMs: number;
  phase: 'before' | 'after';
  method?: string;
  pathContains?: string;
  /** Only requests with this `From` / `To` parameter. */
  from?: string;
  to?: string;
  remaining: number;
}

/** Each status change of messages to `to` (of every message, without `to`) waits `delayMs` instead of the default. */
export interface StatusCallbackDelay {
  to?: string;
  delayMs: number;
}

/** A Flex Conversations Interaction (KD…) with its one channel (UO…) and the task it created. */
export interface SimInteraction {
  sid: string;
  channelSid: string;
  channel: Record<string, unknown>;
  routing: Record<string, unknown>;
  taskSid: string;
  conversationSid: string;
  dateCreated: Date;
}

/** The Conversation (CH…) an Interaction opened: who is in it, through which Twilio number. */
export interface SimConversation {
  sid: string;
  interactionSid: string;
  channelType: string;
  participants: { address: string; proxyAddress: string | null }[];
  state: 'active' | 'inactive' | 'closed';
  dateCreated: Date;
}

export interface SimulatorState {
  accountSid: string;
  defaultWorkspaceSid: string;
  requests: RecordedRequest[];
  messages: SimMessage[];
  statusCallbacks: StatusCallbackDelivery[];
  workspaces: SimWorkspace[];
  tasks: SimTask[];
  taskQueues: SimTaskQueue[];
  workflows: SimWorkflow[];
  taskChannels: SimTaskChannel[];
  workers: SimWorker[];
  /** Customer/sender pairs (`<customer>|<our number>`) blocked after the customer texted STOP. */
  optOuts: Set<string>;
  /** Messaging Service sid → its numbers (messaging-services.ts); configuration, kept by a reset unless `all`. */
  messagingServices: Map<string, string[]>;
  apiFaults: ApiFault[];
  deliveryFaults: DeliveryFault[];
  /** Flex Interactions and the Conversations they opened. */
  interactions: SimInteraction[];
  conversations: SimConversation[];
  apiDelays: ApiDelay[];
  statusCallbackDelays: StatusCallbackDelay[];
}

export const optOutKey = (customer: string, ourNumber: string) => `${customer}|${ourNumber}`;

/** TaskRouter creates these channels in every new workspace. */
const DEFAULT_TASK_CHANNELS = [
  ['Default', 'default'],
  ['Voice', 'voice'],
  ['Chat', 'chat'],
  ['SMS', 'sms'],
  ['Video', 'video'],
  ['Email', 'email'],
] as const;

export function createWorkspace(state: SimulatorState, friendlyName: string, sid = newSid('WS')): SimWorkspace {
  const now = new Date();
  const activities: SimActivity[] = [
    { sid: stableSid('WA', `${sid}/Offline`), friendlyName: 'Offline', available: false },
    { sid: stableSid('WA', `${sid}/Available`), friendlyName: 'Available', available: true },
    { sid: stableSid('WA', `${sid}/Unavailable`), friendlyName: 'Unavailable', available: false },
  ];
  const offline = activities[0]!;
  const workspace: SimWorkspace = {
    sid,
    friendlyName,
    activities,
    defaultActivitySid: offline.sid,
    timeoutActivitySid: offline.sid,
    eventCallbackUrl: null,
    dateCreated: now,
    dateUpdated: now,
  };
  state.workspaces.push(workspace);
  for (const [channelName, uniqueName] of DEFAULT_TASK_CHANNELS) {
    state.taskChannels.push({
      sid: stableSid('TC', `${sid}/${uniqueName}`),
      workspaceSid: sid,
      friendlyName: channelName,
      uniqueName,
      channelOptimizedRouting: false,
      dateCreated: now,
      dateUpdated: now,
    });
  }
  return workspace;
}

export function createState(accountSid: string): SimulatorState {
  const state: SimulatorState = {
    accountSid,
    defaultWorkspaceSid: stableSid('WS', `${accountSid}/default-workspace`),
    requests: [],
    messages: [],
    statusCallbacks: [],
    workspaces: [],
    tasks: [],
    taskQueues: [],
    workflows: [],
    taskChannels: [],
    workers: [],
    optOuts: new Set(),
    messagingServices: new Map(),
    apiFaults: [],
    deliveryFaults: [],
    interactions: [],
    conversations: [],
    apiDelays: [],
    statusCallbackDelays: [],
  };
  createWorkspace(state, 'Default Workspace', state.defaultWorkspaceSid);
  return state;
}

/**
 * Forgets traffic (requests, messages, callbacks, tasks, opt-outs, faults, delays). TaskRouter configuration (queues,
 * workflows, channels, workers) survives unless `all` is set, so a dev stack provisioned once stays usable.
 * Arrays are emptied in place: callers may hold references to them.
 */
export function resetState(state: SimulatorState, opts: { all?: boolean } = {}): void {
  for (const list of [state.requests, state.messages, state.statusCallbacks, state.tasks, state.apiFaults, state.deliveryFaults, state.apiDelays, state.statusCallbackDelays]) {
    list.length = 0;
  }
  state.optOuts.clear();
  state.interactions.length = 0;
  state.conversations.length = 0;
  if (opts.all) {
    for (const list of [state.workspaces, state.taskQueues, state.workflows, state.taskChannels, state.workers]) list.length = 0;
    state.messagingServices.clear();
    createWorkspace(state, 'Default Workspace', state.defaultWorkspaceSid);
  }
}
