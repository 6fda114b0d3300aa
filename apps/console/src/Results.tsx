import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, apiBlob, surveyPath, type CsatScore, type ExportPage, type ExportedSession, type NpsScore, type StoredSurvey, type SurveyResults } from './api.js';
import { NO_FILTERS, browserTimeZone, answerLabel, elementLabels, exportQuery, linePoints, percent, resultsQuery, score, type ChartPoint, type ElementLabels, type ResultFilters } from './results-view.js';

const STATUSES = ['active', 'completed', 'expired', 'abandoned', 'opted-out', 'superseded', 'failed'] as const;
const PAGE = 25;

function download(name: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Horizontal bars of one question's values (labels from the definition). */
function Distribution({ question, labels }: { question: SurveyResults['questions'][number]; labels: ElementLabels | undefined }) {
  const biggest = Math.max(1, ...question.values.map((v) => v.count));
  const total = question.values.reduce((sum, v) => sum + v.count, 0);
  return (
    <div className="distribution" data-question={question.elementId}>
      <div className="label">
        <strong>{question.elementId}</strong> · {question.elementType} · {question.answers} answers
        {question.mean !== null ? <> · mean <span data-mean>{question.mean}</span></> : null}
      </div>
      {labels?.question ? <div className="hint question-text">{labels.question}</div> : null}
      {question.values.length === 0 ? <p className="hint">Free text: see the export.</p> : null}
      {question.values.map((v) => (
        <div className="bar-row" key={v.value} title={`${v.count} (${Math.round((100 * v.count) / Math.max(1, total))} %)`}>
          <span className="bar-value">{labels?.value(v.value) ?? v.value}</span>
          <span className="bar-track">
            <span className="bar" style={{ width: `${(100 * v.count) / biggest}%` }} />
          </span>
          <span className="bar-n">{v.count}</span>
        </div>
      ))}
    </div>
  );
}

/** A score per day as a line (SVG), with the scale's ends and middle drawn. */
function LineChart({ name, points, min, max }: { name: string; points: ChartPoint[]; min: number; max: number }) {
  const box = { width: 560, height: 170, min, max, pad: 24 };
  const { placed, runs, y } = linePoints(points, box);
  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  return (
    <svg className="line-chart" data-chart={name} viewBox={`0 0 ${box.width} ${box.height + 18}`} role="img" aria-label={`${name} per day`}>
      {[min, (min + max) / 2, max].map((v) => (
        <g key={v}>
          <line x1={box.pad} x2={box.width - box.pad} y1={y(v)} y2={y(v)} className="grid" />
          <text x={2} y={y(v) + 4} className="axis">
            {v}
          </text>
        </g>
      ))}
      {runs.map((r, i) => (
        <polyline key={i} points={r} className="line" />
      ))}
      {placed.map((p, i) => (
        <g key={p.label}>
          {p.y === null ? null : (
            <circle cx={p.x} cy={p.y} r={3.5} className="point">
              <title>{`${p.label}: ${p.value}${p.note ? ` (${p.note})` : ''}`}</title>
            </circle>
          )}
          {i % labelEvery === 0 || i === placed.length - 1 ? (
            <text x={p.x} y={box.height + 12} className="axis" textAnchor="middle">
              {p.label.slice(5)}
            </text>
          ) : null}
        </g>
      ))}
    </svg>
  );
}

/** A score as a bar: CSAT 0–100 from the left; NPS −100–100 from the middle. */
function ScoreBar({ value, nps }: { value: number | null; nps?: boolean }) {
  if (value === null) return <span className="hint">–</span>;
  const style = nps ? { left: `${value < 0 ? 50 + value / 2 : 50}%`, width: `${Math.abs(value) / 2}%` } : { left: '0%', width: `${value}%` };
  return (
    <span className="score-bar">
      <span className="score-track">
        <span className={`score-fill ${nps && value < 0 ? 'negative' : ''}`} style={style} />
      </span>
      <span className="score-n">{value}</span>
    </span>
  );
}

/** CSAT and NPS side by side per queue or agent. */
function ByGroup<K extends 'queueKey' | 'agentId'>({ title, field, csat, nps }: { title: string; field: K; csat: (CsatScore & Record<K, string | null>)[]; nps: (NpsScore & Record<K, string | null>)[] }) {
  const keyOf = (row: Record<K, string | null>) => row[field];
  const keys = [...new Set([...csat.map(keyOf), ...nps.map(keyOf)])];
  if (keys.length === 0) return null;
  return (
    <table className="by-group" data-breakdown={title}>
      <thead>
        <tr>
          <th>{title}</th>
          <th>CSAT answers</th>
          <th className="wide">CSAT (% satisfied)</th>
          <th>NPS answers</th>
          <th className="wide">NPS</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => {
          const c = csat.find((r) => keyOf(r) === key);
          const n = nps.find((r) => keyOf(r) === key);
          return (
            <tr key={key ?? '(none)'} data-group={key ?? ''}>
              <td>{key ?? <span className="hint">(none)</span>}</td>
              <td>{c?.answers ?? 0}</td>
              <td>
                <ScoreBar value={c?.score ?? null} />
              </td>
              <td>{n?.answers ?? 0}</td>
              <td>
                <ScoreBar value={n?.score ?? null} nps />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * A survey's results (GET /v1/surveys/:id/results and …/results/export): outcomes and rates, each question's
 * answers as bars, CSAT and NPS per day as lines and per queue and agent, the newest sessions (masked), CSV.
 */
export function Results({ surveyId }: { surveyId: string }) {
  const [filters, setFilters] = useState<ResultFilters>(NO_FILTERS);
  const [results, setResults] = useState<SurveyResults | null>(null);
  const [definition, setDefinition] = useState<unknown>(null);
  const [sessions, setSessions] = useState<ExportedSession[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const tz = useMemo(browserTimeZone, []);
  const base = surveyPath(surveyId);
  const set = (key: keyof ResultFilters) => (e: { target: { value: string } }) => setFilters((f) => ({ ...f, [key]: e.target.value }));

  const refresh = useCallback(async () => {
    setBusy(true);
    try {
      const [aggregates, page, survey] = await Promise.all([
        api<SurveyResults>('GET', `${base}/results?${resultsQuery(filters, tz)}`),
        api<ExportPage>('GET', `${base}/results/export?${exportQuery(filters, { format: 'json', limit: PAGE })}`),
        api<StoredSurvey>('GET', filters.version ? `${base}/versions/${encodeURIComponent(filters.version)}` : base).catch(() => null),
      ]);
      setResults(aggregates.body);
      setSessions(page.body.sessions);
      setNextCursor(page.body.nextCursor);
      setDefinition(survey?.body.definition ?? null);
      setError(null);
    } catch (e) {
      const problems = (e as { problems?: string[] }).problems ?? [];
      setError([(e as Error).message, ...problems].join(' — '));
    } finally {
      setBusy(false);
    }
  }, [base, filters, tz]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  async function older() {
    if (!nextCursor) return;
    const { body } = await api<ExportPage>('GET', `${base}/results/export?${exportQuery(filters, { format: 'json', limit: PAGE, before: nextCursor })}`);
    setSessions((s) => [...s, ...body.sessions]);
    setNextCursor(body.nextCursor);
  }

  async function csv() {
    try {
      download(`${surveyId}-sessions.csv`, await apiBlob(`${base}/results/export?${exportQuery(filters, { format: 'csv' })}`));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  const labels = useMemo(() => elementLabels(definition), [definition]);
  // In the survey's order (the definition's); elements it no longer has (an older version's) after them.
  const questions = useMemo(() => {
    const order = [...labels.keys()];
    const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
    return [...(results?.questions ?? [])].sort((a, b) => rank(a.elementId) - rank(b.elementId));
  }, [labels, results]);
  const t = results?.totals;
  const tiles: [string, string, number | string | undefined][] = [
    ['sent', 'sent', t?.sent],
    ['answered', 'answered (≥ 1 answer)', t?.answered],
    ['completed', 'completed', t?.completed],
    ['expired', 'expired', t?.expired],
    ['opted-out', 'opted out', t?.optedOut],
    ['failed', 'failed', t?.failed],
    ['active', 'active', t?.active],
    ['abandoned', 'abandoned', t?.abandoned],
    ['superseded', 'superseded', t?.superseded],
  ];
  const csatDays = results?.csat.byDay.map((d) => ({ label: d.day, value: d.score, note: `${d.satisfied} of ${d.answers} satisfied` })) ?? [];
  const npsDays = results?.nps.byDay.map((d) => ({ label: d.day, value: d.score, note: `${d.promoters} promoters, ${d.detractors} detractors of ${d.answers}` })) ?? [];
  return (
    <section className="results">
      <header className="editor-head">
        <h1>Results of “{surveyId}”</h1>
        <a href={`#/surveys/${encodeURIComponent(surveyId)}`}>Edit</a>
        <a href={`#/try/${encodeURIComponent(surveyId)}`}>Try it</a>
      </header>
      <div className="editor-head filters">
        <label className="inline">
          <span className="label">Version</span>
          <input name="results-version" type="number" min={1} value={filters.version} placeholder="all" onChange={set('version')} />
        </label>
        <label className="inline">
          <span className="label">From</span>
          <input name="results-from" type="date" value={filters.from} onChange={set('from')} />
        </label>
        <label className="inline">
          <span className="label">To</span>
          <input name="results-to" type="date" value={filters.to} onChange={set('to')} />
        </label>
        <span className="hint">Sessions list and CSV also by:</span>
        <label className="inline">
          <span className="label">Status</span>
          <select name="results-status" value={filters.status} onChange={set('status')}>
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="inline">
          <span className="label">Queue</span>
          <input name="results-queue" value={filters.queueKey} placeholder="any" onChange={set('queueKey')} />
        </label>
        <label className="inline">
          <span className="label">Agent</span>
          <input name="results-agent" value={filters.agentId} placeholder="any" onChange={set('agentId')} />
        </label>
        <button onClick={() => void refresh()} disabled={busy}>
          Refresh
        </button>
        <button className="primary" onClick={() => void csv()} data-action="csv">
          Export CSV
        </button>
      </div>
      {error ? <p className="status error">{error}</p> : null}
      <div className="tiles">
        {tiles.map(([key, label, n]) => (
          <div className="tile" key={key}>
            <div className="n" data-count={key}>
              {n ?? '–'}
            </div>
            {label}
          </div>
        ))}
        <div className="tile">
          <div className="n" data-rate="response">
            {percent(results?.rates.response ?? null)}
          </div>
          response rate
        </div>
        <div className="tile">
          <div className="n" data-rate="completion">
            {percent(results?.rates.completion ?? null)}
          </div>
          completion rate
        </div>
        <div className="tile score">
          <div className="n" data-figure="csat">
            {score(results?.csat.overall.score ?? null)}
          </div>
          CSAT{results?.csat.elementId ? ` (${results.csat.elementId}: % in the top 2)` : ': no scale question'}
        </div>
        <div className="tile score">
          <div className="n" data-figure="nps">
            {score(results?.nps.overall.score ?? null)}
          </div>
          NPS{results?.nps.elementId ? ` (${results.nps.elementId})` : ': no NPS question'}
        </div>
      </div>

      <h2>Answers</h2>
      <div className="distributions">
        {questions.map((q) => <Distribution key={`${q.elementId}:${q.elementType}`} question={q} labels={labels.get(q.elementId)} />)}
        {results && results.questions.length === 0 ? <p className="hint">No answers yet.</p> : null}
      </div>

      {results && (csatDays.length > 0 || npsDays.length > 0) ? (
        <>
          <h2>Over time (days in {results.timeZone})</h2>
          <div className="charts">
            {csatDays.length > 0 ? (
              <figure className="chart">
                <figcaption>CSAT, % satisfied</figcaption>
                <LineChart name="csat" points={csatDays} min={0} max={100} />
              </figure>
            ) : null}
            {npsDays.length > 0 ? (
              <figure className="chart">
                <figcaption>NPS</figcaption>
                <LineChart name="nps" points={npsDays} min={-100} max={100} />
              </figure>
            ) : null}
          </div>
          <h2>By queue and agent</h2>
          <div className="charts">
            <ByGroup title="Queue" field="queueKey" csat={results.csat.byQueue} nps={results.nps.byQueue} />
            <ByGroup title="Agent" field="agentId" csat={results.csat.byAgent} nps={results.nps.byAgent} />
          </div>
        </>
      ) : null}

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
              <td>{[s.queueKey, s.agentId].filter(Boolean).join(' / ')}</td>
              <td>
                {s.answers.map((a, i) => (
                  <div key={i} data-answer={a.elementId}>
                    {a.elementId}: <code>{answerLabel(labels.get(a.elementId), a.value)}</code>
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sessions.length === 0 ? <p className="hint">No sessions yet.</p> : null}
      {nextCursor ? <button onClick={() => void older()}>Older sessions</button> : null}
    </section>
  );
}
