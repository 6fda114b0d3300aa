import { useEffect, useRef, useState } from 'react';
import { ApiError, api, surveyPath, type SessionPage, type SessionSummary, type SimulatedSms } from './api.js';
import { smsStats } from './preview.js';
import { SmsMeter } from './Preview.js';

const DEFAULT_TEST_NUMBER = '+4791234567';
const POLL_MS = 1000;

/**
 * "Try it": sends the survey to a test number (POST /v1/surveys/:id/send) and shows the conversation. Against the
 * local Twilio simulator the gateway's /v1/simulator routes list what was texted to the number and send the
 * replies typed here as that phone's SMS; against real Twilio the SMS goes to the real phone, which answers.
 */
export function Phone({ surveyId }: { surveyId: string }) {
  const [simulated, setSimulated] = useState<boolean | null>(null);
  const [number, setNumber] = useState(() => sessionStorage.getItem('sms-survey-console.testNumber') ?? DEFAULT_TEST_NUMBER);
  const [language, setLanguage] = useState('');
  const [content, setContent] = useState('');
  const [sent, setSent] = useState<{ sessionId: string; surveyVersion: number; since: string } | null>(null);
  const [messages, setMessages] = useState<SimulatedSms[]>([]);
  const [session, setSession] = useState<SessionSummary | null>(null);
  const [reply, setReply] = useState('');
  const [error, setError] = useState<string | null>(null);
  const screen = useRef<HTMLDivElement>(null);

  useEffect(() => {
    api('GET', '/v1/simulator').then(
      () => setSimulated(true),
      () => setSimulated(false),
    );
  }, []);

  // While a session is being tried: the SMS at the simulator, and the session as the results API has it.
  useEffect(() => {
    if (!sent) return;
    let stopped = false;
    const poll = async () => {
      try {
        if (simulated) {
          const { body } = await api<{ messages: SimulatedSms[] }>('GET', `/v1/simulator/messages?number=${encodeURIComponent(number)}`);
          if (!stopped) setMessages(body.messages.filter((m) => m.dateCreated >= sent.since));
        }
        const { body } = await api<SessionPage>('GET', `${surveyPath(surveyId)}/sessions?limit=10`);
        if (!stopped) setSession(body.sessions.find((s) => s.sessionId === sent.sessionId) ?? null);
      } catch (e) {
        if (!stopped) setError((e as Error).message);
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [sent, simulated, number, surveyId]);

  useEffect(() => {
    screen.current?.scrollTo({ top: screen.current.scrollHeight });
  }, [messages.length]);

  async function send() {
    setError(null);
    try {
      sessionStorage.setItem('sms-survey-console.testNumber', number);
      const since = new Date(Date.now() - 1000).toISOString();
      const { body } = await api<{ sessionId: string; surveyVersion: number }>('POST', `${surveyPath(surveyId)}/send`, {
        identifier: number,
        identifierType: 'Phone',
        channel: 'SMS',
        ...(language ? { language } : {}),
        ...(content ? { content } : {}),
        clientReference: 'console-try-it',
      });
      setMessages([]);
      setSession(null);
      setSent({ sessionId: body.sessionId, surveyVersion: body.surveyVersion, since });
    } catch (e) {
      setError(e instanceof ApiError && e.problems.length > 0 ? `${e.message}: ${e.problems.join('; ')}` : (e as Error).message);
    }
  }

  async function answer() {
    const lastOutbound = [...messages].reverse().find((m) => m.direction === 'outbound' && m.from);
    if (!lastOutbound?.from || reply === '') return;
    setError(null);
    try {
      await api('POST', '/v1/simulator/inbound', { from: number, to: lastOutbound.from, body: reply });
      setReply('');
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <div className="try-it">
      <section className="try-form">
        <h1>Try “{surveyId}” on a phone</h1>
        {simulated === false ? (
          <p className="status info">
            Twilio is real here: the survey is texted to the number below, and its replies come from that phone. Use a test number of your own. The session
            and its answers show on the right as they arrive.
          </p>
        ) : simulated ? (
          <p className="hint">Against the local Twilio simulator: nothing leaves this machine. Answer in the phone as the customer would.</p>
        ) : null}
        <label>
          <span className="label">Test number (E.164)</span>
          <input name="test-number" value={number} onChange={(e) => setNumber(e.target.value.trim())} />
        </label>
        <label>
          <span className="label">Language</span>
          <select name="try-language" value={language} onChange={(e) => setLanguage(e.target.value)}>
            <option value="">the survey's default</option>
            <option value="en">en</option>
            <option value="no">no</option>
          </select>
        </label>
        <label>
          <span className="label">Content in front of the first SMS (optional)</span>
          <input name="try-content" value={content} onChange={(e) => setContent(e.target.value)} />
        </label>
        <button className="primary" onClick={() => void send()}>
          Send survey
        </button>
        {error ? <p className="status error">{error}</p> : null}
        {sent ? (
          <div className="session-card" data-session={sent.sessionId}>
            <div>
              Session <code>{sent.sessionId}</code> (version {sent.surveyVersion})
            </div>
            <div>
              Status: <strong data-session-status>{session?.status ?? 'starting'}</strong>
            </div>
            {session && session.answers.length > 0 ? (
              <ul>
                {session.answers.map((a, i) => (
                  <li key={i}>
                    {a.elementId}: <code>{JSON.stringify(a.value)}</code>
                  </li>
                ))}
              </ul>
            ) : null}
            <a href={`#/results/${encodeURIComponent(surveyId)}`}>See all results</a>
          </div>
        ) : null}
      </section>
      {simulated ? (
        <section className="phone" aria-label="Phone">
          <div className="phone-top">{number}</div>
          <div className="phone-screen" ref={screen}>
            {messages.length === 0 ? <p className="hint">{sent ? 'Waiting for the first SMS…' : 'Send the survey to see its SMS here.'}</p> : null}
            {messages.map((m) => (
              <div key={m.sid} className={`msg ${m.direction}`} data-direction={m.direction}>
                <div className="msg-body">{m.body}</div>
                <div className="msg-meta">
                  {new Date(m.dateCreated).toLocaleTimeString()} · {m.direction === 'outbound' ? `from ${m.from ?? ''} · ${m.status}` : 'you'}
                </div>
                {m.direction === 'outbound' ? <SmsMeter sms={smsStats(m.body)} /> : null}
              </div>
            ))}
          </div>
          <form
            className="phone-input"
            onSubmit={(e) => {
              e.preventDefault();
              void answer();
            }}
          >
            <input name="reply" placeholder="Text message" value={reply} onChange={(e) => setReply(e.target.value)} disabled={!messages.some((m) => m.direction === 'outbound')} />
            <button type="submit" disabled={reply === ''}>
              Send
            </button>
          </form>
        </section>
      ) : null}
    </div>
  );
}
