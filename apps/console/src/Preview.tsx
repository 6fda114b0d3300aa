import { useMemo, useState } from 'react';
import type { Json } from './draft.js';
import { previewDraft, type SmsStats } from './preview.js';

const TEXT_LABELS: Record<string, string> = {
  completion: 'Completion',
  unavailable: 'Unavailable (reply after the end)',
  notFound: 'Not found (no active survey)',
  invalidReply: 'Invalid reply (prefix)',
  tooManyInvalid: 'Too many invalid replies',
};

/** One SMS as the customer's phone shows it, the characters that force UCS-2 marked, and what it costs. */
export function SmsBubble({ sms, label, testId }: { sms: SmsStats; label?: string; testId?: string }) {
  return (
    <div className="sms" data-preview={testId}>
      {label ? <div className="sms-label">{label}</div> : null}
      <div className="bubble">
        {sms.body === '' ? (
          <span className="empty">(empty)</span>
        ) : (
          sms.pieces.map((piece, i) =>
            piece.ucs2 ? (
              <mark key={i} className="ucs2" title="not in GSM-7: makes this SMS UCS-2">
                {piece.text}
              </mark>
            ) : (
              <span key={i}>{piece.text}</span>
            ),
          )
        )}
      </div>
      <SmsMeter sms={sms} />
    </div>
  );
}

export function SmsMeter({ sms }: { sms: SmsStats }) {
  return (
    <div className={`meter${sms.encoding === 'UCS-2' ? ' warn' : ''}`}>
      <span data-characters>{sms.characters} characters</span> · <span data-encoding className="encoding">{sms.encoding}</span> ·{' '}
      <span data-segments>
        {sms.segments} segment{sms.segments === 1 ? '' : 's'}
      </span>{' '}
      <span className="units">
        ({sms.units}/{sms.perSegment * sms.segments} {sms.encoding === 'GSM-7' ? 'septets' : 'UTF-16 units'})
      </span>
      {sms.ucs2Characters.length > 0 ? (
        <div className="ucs2-note" data-ucs2-characters>
          UCS-2 because of {sms.ucs2Characters.map((c) => `“${c}”`).join(' ')}: 70 characters per SMS instead of 160
        </div>
      ) : null}
    </div>
  );
}

/** What the engine would text, per language: the opening sequence, every element and every text. */
export function Preview({ draft }: { draft: Json }) {
  const [language, setLanguage] = useState<string>('');
  const [content, setContent] = useState('');
  const preview = useMemo(() => previewDraft(draft, language || '', content), [draft, language, content]);
  return (
    <aside className="preview" aria-label="SMS preview">
      <h2>SMS preview</h2>
      <div className="tabs small" role="tablist">
        {preview.languages.map((l) => (
          <button key={l} role="tab" aria-selected={preview.language === l} className={preview.language === l ? 'active' : ''} onClick={() => setLanguage(l)}>
            {l}
            {l === preview.defaultLanguage ? ' (default)' : ''}
          </button>
        ))}
      </div>
      <p className="hint">Rendered by the survey engine's own code; segments counted as the dispatcher counts them.</p>

      <h3>Opening messages</h3>
      <label className="inline">
        <span className="label">SendSurvey content (optional)</span>
        <input value={content} onChange={(e) => setContent(e.target.value)} placeholder="e.g. Thanks for calling us today." />
      </label>
      {'problem' in preview.opening ? (
        <p className="hint">{preview.opening.problem}</p>
      ) : (
        <ol className="timeline" data-preview="opening">
          {preview.opening.messages.map((m, i) => (
            <li key={i}>
              <span className="at">+{m.delaySeconds} s</span>
              <SmsBubble sms={m.sms} testId={`opening:${i}`} />
            </li>
          ))}
          {preview.opening.approximate ? <p className="hint">Some elements are not valid yet and are left out.</p> : null}
        </ol>
      )}

      <h3>Every element</h3>
      {preview.elements.length === 0 ? <p className="hint">No elements yet.</p> : null}
      {preview.elements.map((e) =>
        e.sms ? (
          <SmsBubble key={e.index} sms={e.sms} label={`${e.index + 1}. ${e.id} (${e.type})`} testId={`element:${e.index}`} />
        ) : (
          <div key={e.index} className="sms" data-preview={`element:${e.index}`}>
            <div className="sms-label">
              {e.index + 1}. {e.id} ({e.type})
            </div>
            <p className="hint">Not previewed: {e.problem}</p>
          </div>
        ),
      )}

      <h3>Texts</h3>
      {preview.texts.map((t) => (
        <SmsBubble key={t.key} sms={t.sms} label={TEXT_LABELS[t.key] ?? t.key} testId={`text:${t.key}`} />
      ))}
      {preview.invalidReply ? <SmsBubble sms={preview.invalidReply.sms} label={`After an invalid reply to “${preview.invalidReply.elementId}”`} testId="invalid-reply" /> : null}
    </aside>
  );
}
