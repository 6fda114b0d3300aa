// Every call of the console goes to the gateway's public API (/v1) with the API key the person signed in with,
// which is kept in this browser tab's sessionStorage only.

const KEY_STORAGE = 'sms-survey-console.apiKey';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: string[] = [],
  ) {
    super(message);
  }
}

export const storedApiKey = (): string | null => sessionStorage.getItem(KEY_STORAGE);
export const storeApiKey = (key: string): void => sessionStorage.setItem(KEY_STORAGE, key);
export const forgetApiKey = (): void => sessionStorage.removeItem(KEY_STORAGE);

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

export async function api<T>(method: 'GET' | 'PUT' | 'POST', path: string, body?: unknown, key = storedApiKey()): Promise<ApiAnswer<T>> {
  const res = await fetch(path, {
    method,
    headers: { authorization: `Bearer ${key ?? ''}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    const error = (parsed ?? {}) as { error?: unknown; problems?: unknown };
    const problems = Array.isArray(error.problems) ? error.problems.map(String) : [];
    throw new ApiError(res.status, typeof error.error === 'string' ? error.error : `${res.status} ${res.statusText}`, problems);
  }
  return { status: res.status, body: parsed as T };
}

/** A download (CSV): fetched with the key in its header, handed over as a Blob. */
export async function apiBlob(path: string, key = storedApiKey()): Promise<Blob> {
  const res = await fetch(path, { headers: { authorization: `Bearer ${key ?? ''}` } });
  if (!res.ok) {
    const error = (await res.json().catch(() => ({}))) as { error?: unknown; problems?: unknown };
    const problems = Array.isArray(error.problems) ? error.problems.map(String) : [];
    throw new ApiError(res.status, typeof error.error === 'string' ? error.error : `${res.status} ${res.statusText}`, problems);
  }
  return res.blob();
}

export interface SurveySummary {
  surveyId: string;
  version: number;
  name: unknown;
  languages: unknown;
  createdAt: string;
}

export interface StoredSurvey {
  surveyId: string;
  version: number;
  createdAt: string;
  definition: unknown;
}

export interface SessionSummary {
  sessionId: string;
  surveyVersion: number;
  customer: string;
  status: string;
  language: string;
  currentElementId: string | null;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
  variables: Record<string, string>;
  answers: { elementId: string; elementType: string; value: unknown; rawReply: string; answeredAt: string }[];
}

export interface SessionPage {
  sessions: SessionSummary[];
  nextCursor: string | null;
  counts: Record<string, number>;
  total: number;
}

export interface SimulatedSms {
  sid: string;
  direction: 'inbound' | 'outbound';
  from: string | null;
  to: string;
  body: string;
  status: string;
  dateCreated: string;
}

export const surveyPath = (id: string) => `/v1/surveys/${encodeURIComponent(id)}`;

// The results API (apps/ingest-gateway/src/api/survey-results.ts; docs/console.md).

export interface CsatScore {
  answers: number;
  satisfied: number;
  score: number | null;
}
export interface NpsScore {
  answers: number;
  promoters: number;
  passives: number;
  detractors: number;
  score: number | null;
}
export interface Breakdown<S> {
  elementId: string | null;
  overall: S;
  byDay: (S & { day: string })[];
  byQueue: (S & { queueKey: string | null })[];
  byAgent: (S & { agentId: string | null })[];
}

export interface SurveyResults {
  surveyId: string;
  version: number | null;
  from: string | null;
  to: string | null;
  timeZone: string;
  totals: { sent: number; answered: number; completed: number; expired: number; optedOut: number; failed: number; active: number; abandoned: number; superseded: number };
  rates: { response: number | null; completion: number | null };
  questions: { elementId: string; elementType: string; answers: number; mean: number | null; values: { value: string; count: number }[] }[];
  csat: Breakdown<CsatScore>;
  nps: Breakdown<NpsScore>;
}

export interface ExportedSession {
  sessionId: string;
  surveyVersion: number;
  customer: string;
  status: string;
  language: string;
  startedAt: string;
  endedAt: string | null;
  endReason: string | null;
  queueKey: string | null;
  agentId: string | null;
  answers: { elementId: string; elementType: string; value: unknown; rawReply: string; answeredAt: string }[];
}

export interface ExportPage {
  sessions: ExportedSession[];
  nextCursor: string | null;
}
