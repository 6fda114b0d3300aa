import { useCallback, useEffect, useState } from 'react';
import { api, surveyPath, type SessionPage, type SessionSummary } from './api.js';

const STATUSES = ['active', 'completed', 'expired', 'abandoned', 'opted-out', 'superseded', 'failed'] as const;

const percent = (part: number, whole: number) => (whole === 0 ? '–' : `${Math.round((100 * part) / whole)} %`);

/** Distribution of each question's answers over the sessions loaded (a value → how many). */
function distributions(sessions: readonly SessionSummary[]): { elementId: string; counts: [string, number][]; total: number }[] {
  const byElement = new Map<string, Map<string, number>>();
  for (const session of sessions) {
    for (const answer of session.answers) {
      if (answer.elementType === 'free-text') continue;
      const values = byElement.get(answer.elementId) ?? new Map<string, number>();
      const key = JSON.stringify(answer.value);
      values.set(key, (values.get(key) ?? 0) + 1);
      byElement.set(answer.elementId, values);
    }
  }
  return [...byElement].map(([elementId, values]) => ({
    elementId,
    counts: [...values].sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true })),
    total: [...values.values()].reduce((s, n) => s + n, 0),
  }));
}

const csvCell = (value: unknown) => {
  const text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** The sessions shown, one row each, one column per question (the stored value), as a CSV file. */
export function sessionsCsv(sessions: readonly SessionSummary[]): string {
  const elementIds = [...new Set(sessions.flatMap((s) => s.answers.map((a) => a.elementId)))];
  const header = ['sessionId', 'surveyVersion', 'customer', 'status', 'language', 'startedAt', 'endedAt', 'queueKey', 'agentId', ...elementIds];
  const rows = sessions.map((s) => [
    s.sessionId, s.surveyVersion, s.customer, s.status, s.language, s.startedAt, s.endedAt, s.variables['queueKey'], s.variables['agentId'],
    ...elementIds.map((id) => s.answers.find((a) => a.elementId === id)?.value),
  ]);
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

/** A survey's sessions (GET /v1/surveys/:id/sessions): counts by status, newest sessions with their answers. */
export function Results({ surveyId }: { surveyId: string }) {
  const [page, setPage] = useState<SessionPage | null>(null);
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const [version, setVersion] = useState('');
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);

  const query = useCallback(
    (before?: string) => {
      const params = new URLSearchParams({ limit: '25' });
      if (version) params.set('version', version);
      if (status) params.set('status', status);
      if (before) params.set('before', before);
      return `${surveyPath(surveyId)}/sessions?${params.toString()}`;
    },
    [surveyId, version, status],
  );

  const refresh = useCallback(async () => {
    try {
      const { body } = await api<SessionPage>('GET', query());
      setPage(body);
      setSessions(body.sessions);
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [query]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  async function older() {
    if (!page?.nextCursor) return;
    const { body } = await api<SessionPage>('GET', query(page.nextCursor));
    setPage(body);
    setSessions((s) => [...s, ...body.sessions]);
  }

  const counts = page?.counts ?? {};
  const total = page?.total ?? 0;
  const answered = sessions.filter((s) => s.answers.length > 0).length;
  return (
    <section className="results">
      <header className="editor-head">
        <h1>Results of “{surveyId}”</h1>
        <label className="inline">
          <span className="label">Version</span>
          <input name="results-version" type="number" min={1} value={version} placeholder="all" onChange={(e) => setVersion(e.target.value)} />
        </label>
        <label className="inline">
          <span className="label">Status</span>
          <select name="results-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button onClick={() => void refresh()}>Refresh</button>
        <button onClick={() => download(`${surveyId}-sessions.csv`, sessionsCsv(sessions))} disabled={sessions.length === 0}>
          CSV of the sessions shown
        </button>
        <a href={`#/surveys/${encodeURIComponent(surveyId)}`}>Edit</a>
        <a href={`#/try/${encodeURIComponent(surveyId)}`}>Try it</a>
      </header>
      {error ? <p className="status error">{error}</p> : null}
      <div className="tiles">
        <div className="tile">
          <div className="n" data-count="sent">
            {total}
          </div>
          sent
        </div>
        {STATUSES.map((s) => (
          <div className="tile" key={s}>
            <div className="n" data-count={s}>
              {counts[s] ?? 0}
            </div>
            {s}
          </div>
        ))}
        <div className="tile">
          <div className="n">{percent(counts['completed'] ?? 0, total)}</div>
          completion rate
        </div>
        <div className="tile">
          <div className="n">{percent(answered, sessions.length)}</div>
          answered at least once (of the {sessions.length} shown)
        </div>
      </div>
      <h2>Answers (of the sessions shown)</h2>
      <div className="distributions">
        {distributions(sessions).map((d) => (
          <div className="distribution" key={d.elementId}>
            <div className="label">{d.elementId}</div>
            {d.counts.map(([value, n]) => (
              <div className="bar-row" key={value}>
                <span className="bar-value">{value}</span>
                <span className="bar" style={{ width: `${(100 * n) / d.total}%` }} />
                <span className="bar-n">{n}</span>
              </div>
            ))}
          </div>
        ))}
      </div>
      <h2>Sessions, newest first</h2>
      <table className="sessions">
        <thead>
          <tr>
            <th>Started</th>
            <th>Number</th>
            <th>Version</th>
            <th>Language</th>
            <th>Status</th>
            <th>Queue / agent</th>
            <th>Answers</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.sessionId} data-session={s.sessionId}>
              <td>{new Date(s.startedAt).toLocaleString()}</td>
              <td>
                <code>{s.customer}</code>
              </td>
              <td>{s.surveyVersion}</td>
              <td>{s.language}</td>
              <td>
                <span className={`badge ${s.status}`} data-status>
                  {s.status}
                </span>
              </td>
              <td>{[s.variables['queueKey'], s.variables['agentId']].filter(Boolean).join(' / ')}</td>
              <td>
                {s.answers.map((a, i) => (
                  <div key={i} data-answer={a.elementId}>
                    {a.elementId}: <code>{JSON.stringify(a.value)}</code>
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sessions.length === 0 ? <p className="hint">No sessions yet.</p> : null}
      {page?.nextCursor ? <button onClick={() => void older()}>Older sessions</button> : null}
    </section>
  );
}
