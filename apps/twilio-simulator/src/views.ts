import type {
  SimMessage,
  SimTask,
  SimTaskChannel,
  SimTaskQueue,
  SimulatorState,
  SimWorker,
  SimWorkflow,
  SimWorkspace,
} from './state.js';

/** The public hosts Twilio puts in absolute URLs; the SDK follows them (through its URL-rewriting client). */
export const TASKROUTER_BASE = 'https://taskrouter.twilio.com/v1';

/** The 2010 API's date format: `Thu, 24 Aug 2023 05:01:45 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

/** TaskRouter's date format: ISO 8601 without milliseconds. */
export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function messageResource(m: SimMessage) {
  const uri = `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}.json`;
  return {
    account_sid: m.accountSid,
    api_version: '2010-04-01',
    body: m.body,
    date_created: rfc2822(m.dateCreated),
    date_sent: m.dateSent ? rfc2822(m.dateSent) : null,
    date_updated: rfc2822(m.dateUpdated),
    direction: m.direction,
    error_code: m.errorCode,
    error_message: m.errorMessage,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    num_media: String(m.numMedia),
    num_segments: String(m.numSegments),
    price: null,
    price_unit: 'USD',
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}/Media.json` },
    to: m.to,
    uri,
  };
}

const workspaceUrl = (workspaceSid: string) => `${TASKROUTER_BASE}/Workspaces/${workspaceSid}`;

export function workspaceResource(state: SimulatorState, w: SimWorkspace) {
  const url = workspaceUrl(w.sid);
  const activityName = (sid: string) => w.activities.find((a) => a.sid === sid)?.friendlyName ?? null;
  return {
    account_sid: state.accountSid,
    date_created: iso(w.dateCreated),
    date_updated: iso(w.dateUpdated),
    default_activity_name: activityName(w.defaultActivitySid),
    default_activity_sid: w.defaultActivitySid,
    event_callback_url: w.eventCallbackUrl,
    events_filter: null,
    friendly_name: w.friendlyName,
    multi_task_enabled: true,
    prioritize_queue_order: 'FIFO',
    sid: w.sid,
    timeout_activity_name: activityName(w.timeoutActivitySid),
    timeout_activity_sid: w.timeoutActivitySid,
    url,
    links: {
      activities: `${url}/Activities`,
      events: `${url}/Events`,
      statistics: `${url}/Statistics`,
      task_channels: `${url}/TaskChannels`,
      task_queues: `${url}/TaskQueues`,
      tasks: `${url}/Tasks`,
      workers: `${url}/Workers`,
      workflows: `${url}/Workflows`,
    },
  };
}

export function taskResource(state: SimulatorState, t: SimTask, now = new Date()) {
  const base = workspaceUrl(t.workspaceSid);
  const url = `${base}/Tasks/${t.sid}`;
  return {
    account_sid: state.accountSid,
    addons: '{}',
    age: Math.floor((now.getTime() - t.dateCreated.getTime()) / 1000),
    assignment_status: t.assignmentStatus,
    attributes: t.attributes,
    date_created: iso(t.dateCreated),
    date_updated: iso(t.dateUpdated),
    ignore_capacity: false,
    priority: t.priority,
    reason: t.reason,
    routing_target: null,
    sid: t.sid,
    task_channel_sid: t.taskChannelSid,
    task_channel_unique_name: t.taskChannelUniqueName,
    task_queue_entered_date: t.taskQueueEnteredDate ? iso(t.taskQueueEnteredDate) : null,
    task_queue_friendly_name: t.taskQueueFriendlyName,
    task_queue_sid: t.taskQueueSid,
    timeout: t.timeout,
    url,
    virtual_start_time: iso(t.virtualStartTime),
    workflow_friendly_name: t.workflowFriendlyName,
    workflow_sid: t.workflowSid,
    workspace_sid: t.workspaceSid,
    links: {
      ...(t.taskQueueSid && { task_queue: `${base}/TaskQueues/${t.taskQueueSid}` }),
      workflow: `${base}/Workflows/${t.workflowSid}`,
      workspace: base,
      reservations: `${url}/Reservations`,
    },
  };
}

export function taskQueueResource(state: SimulatorState, q: SimTaskQueue) {
  const base = workspaceUrl(q.workspaceSid);
  const url = `${base}/TaskQueues/${q.sid}`;
  const workspace = state.workspaces.find((w) => w.sid === q.workspaceSid);
  const activityName = (sid: string | null) => (sid && workspace?.activities.find((a) => a.sid === sid)?.friendlyName) || null;
  return {
    account_sid: state.accountSid,
    assignment_activity_name: activityName(q.assignmentActivitySid),
    assignment_activity_sid: q.assignmentActivitySid,
    date_created: iso(q.dateCreated),
    date_updated: iso(q.dateUpdated),
    friendly_name: q.friendlyName,
    max_reserved_workers: q.maxReservedWorkers,
    reservation_activity_name: activityName(q.reservationActivitySid),
    reservation_activity_sid: q.reservationActivitySid,
    sid: q.sid,
    target_workers: q.targetWorkers,
    task_order: q.taskOrder,
    url,
    workspace_sid: q.workspaceSid,
    links: {
      assignment_activity: q.assignmentActivitySid ? `${base}/Activities/${q.assignmentActivitySid}` : null,
      reservation_activity: q.reservationActivitySid ? `${base}/Activities/${q.reservationActivitySid}` : null,
      workspace: base,
      statistics: `${url}/Statistics`,
      real_time_statistics: `${url}/RealTimeStatistics`,
      cumulative_statistics: `${url}/CumulativeStatistics`,
      list_statistics: `${base}/TaskQueues/Statistics`,
      bulk_real_time_statistics: `${base}/TaskQueues/RealTimeStatistics`,
    },
  };
}

export function workflowResource(state: SimulatorState, w: SimWorkflow) {
  const base = workspaceUrl(w.workspaceSid);
  const url = `${base}/Workflows/${w.sid}`;
  return {
    account_sid: state.accountSid,
    assignment_callback_url: w.assignmentCallbackUrl,
    configuration: w.configuration,
    date_created: iso(w.dateCreated),
    date_updated: iso(w.dateUpdated),
    document_content_type: 'application/json',
    fallback_assignment_callback_url: w.fallbackAssignmentCallbackUrl,
    friendly_name: w.friendlyName,
    sid: w.sid,
    task_reservation_timeout: w.taskReservationTimeout,
    url,
    workspace_sid: w.workspaceSid,
    links: {
      statistics: `${url}/Statistics`,
      real_time_statistics: `${url}/RealTimeStatistics`,
      cumulative_statistics: `${url}/CumulativeStatistics`,
    },
  };
}

export function taskChannelResource(state: SimulatorState, c: SimTaskChannel) {
  const base = workspaceUrl(c.workspaceSid);
  return {
    account_sid: state.accountSid,
    channel_optimized_routing: c.channelOptimizedRouting,
    date_created: iso(c.dateCreated),
    date_updated: iso(c.dateUpdated),
    friendly_name: c.friendlyName,
    sid: c.sid,
    unique_name: c.uniqueName,
    url: `${base}/TaskChannels/${c.sid}`,
    workspace_sid: c.workspaceSid,
    links: { workspace: base },
  };
}

export function workerResource(state: SimulatorState, w: SimWorker) {
  const base = workspaceUrl(w.workspaceSid);
  const url = `${base}/Workers/${w.sid}`;
  const activity = state.workspaces.find((ws) => ws.sid === w.workspaceSid)?.activities.find((a) => a.sid === w.activitySid);
  return {
    account_sid: state.accountSid,
    activity_name: activity?.friendlyName ?? null,
    activity_sid: w.activitySid,
    attributes: w.attributes,
    available: activity?.available ?? false,
    date_created: iso(w.dateCreated),
    date_status_changed: iso(w.dateStatusChanged),
    date_updated: iso(w.dateUpdated),
    friendly_name: w.friendlyName,
    sid: w.sid,
    url,
    workspace_sid: w.workspaceSid,
    links: {
      channels: `${url}/Channels`,
      reservations: `${url}/Reservations`,
      activity: `${base}/Activities/${w.activitySid}`,
      workspace: base,
    },
  };
}
