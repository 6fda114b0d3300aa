import { useEffect, useState } from 'react';
import { ApiError, api, forgetApiKey, storeApiKey, storedApiKey, type SurveySummary } from './api.js';
import { Editor } from './Editor.js';
import { Phone } from './Phone.js';
import { Results } from './Results.js';

function useHash(): [string, (hash: string) => void] {
  const [hash, setHash] = useState(() => window.location.hash || '#/surveys');
  useEffect(() => {
    const onChange = () => setHash(window.location.hash || '#/surveys');
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return [hash, (next) => (window.location.hash = next)];
}

function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function signIn() {
    try {
      await api('GET', '/v1/surveys', undefined, key);
      storeApiKey(key);
      onSignedIn();
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'That key is not accepted: use one of the gateway’s API_KEYS.' : (e as Error).message);
    }
  }
  return (
    <form
      className="sign-in"
      onSubmit={(e) => {
        e.preventDefault();
        void signIn();
      }}
    >
      <h1>SMS survey console</h1>
      <p>Sign in with an API key of the gateway (one of its API_KEYS; for local development, dev-api-key). It is kept only in this browser tab.</p>
      <label>
        <span className="label">API key</span>
        <input name="api-key" type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} autoFocus />
      </label>
      <button className="primary" type="submit">
        Sign in
      </button>
      {error ? <p className="status error">{error}</p> : null}
    </form>
  );
}

function SurveyList() {
  const [surveys, setSurveys] = useState<SurveySummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ surveys: SurveySummary[] }>('GET', '/v1/surveys').then(
      ({ body }) => setSurveys(body.surveys),
      (e: Error) => setError(e.message),
    );
  }, []);
  return (
    <section className="survey-list">
      <header className="editor-head">
        <h1>Surveys</h1>
        <a className="button primary" href="#/surveys/new">
          New survey
        </a>
      </header>
      {error ? <p className="status error">{error}</p> : null}
      {surveys && surveys.length === 0 ? <p className="hint">No surveys yet: create one.</p> : null}
      {surveys && surveys.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th>Id</th>
              <th>Name</th>
              <th>Languages</th>
              <th>Latest version</th>
              <th>Saved</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {surveys.map((s) => (
              <tr key={s.surveyId} data-survey={s.surveyId}>
                <td>
                  <a href={`#/surveys/${encodeURIComponent(s.surveyId)}`}>{s.surveyId}</a>
                </td>
                <td>{String(s.name ?? '')}</td>
                <td>{Array.isArray(s.languages) ? s.languages.join(', ') : ''}</td>
                <td>{s.version}</td>
                <td>{new Date(s.createdAt).toLocaleString()}</td>
                <td className="links">
                  <a href={`#/try/${encodeURIComponent(s.surveyId)}`}>Try it</a> <a href={`#/results/${encodeURIComponent(s.surveyId)}`}>Results</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

export function App() {
  const [signedIn, setSignedIn] = useState(() => storedApiKey() !== null);
  const [hash, navigate] = useHash();
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  const [, section = 'surveys', rawId] = hash.split('/');
  const id = rawId ? decodeURIComponent(rawId) : undefined;
  let page;
  if (section === 'surveys' && id === 'new') page = <Editor key="new" surveyId={null} navigate={navigate} />;
  else if (section === 'surveys' && id) page = <Editor key={id} surveyId={id} navigate={navigate} />;
  else if (section === 'try' && id) page = <Phone key={id} surveyId={id} />;
  else if (section === 'results' && id) page = <Results key={id} surveyId={id} />;
  else page = <SurveyList />;
  return (
    <div className="app">
      <nav>
        <a className="brand" href="#/surveys">
          SMS surveys
        </a>
        <a href="#/surveys" className={section === 'surveys' ? 'active' : ''}>
          Surveys
        </a>
        <span className="spacer" />
        <button
          className="link"
          onClick={() => {
            forgetApiKey();
            setSignedIn(false);
          }}
        >
          Sign out
        </button>
      </nav>
      <main>{page}</main>
    </div>
  );
}
