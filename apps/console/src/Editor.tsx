import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, surveyPath, type StoredSurvey } from './api.js';
import {
  ELEMENT_TYPES,
  ELEMENT_TYPE_LABELS,
  STARTER_TEXTS,
  arrayAt,
  getIn,
  isObject,
  moveAt,
  newElement,
  newSurvey,
  objectAt,
  removeAt,
  setIn,
  stringAt,
  withType,
  type ElementTypeName,
  type Json,
  type JsonObject,
  type Path,
} from './draft.js';
import { Field, LocalizedInput, NumberInput, ProblemList, TextInput, type OnChange } from './fields.js';
import { Preview } from './Preview.js';
import { parseProblem, type Problem } from './problems.js';
import { SUPPORTED_LANGUAGES, TEXT_KEYS } from './preview.js';

const TEXT_LABELS: Record<string, string> = {
  completion: 'Completion: sent when the survey is finished',
  unavailable: 'Unavailable: a reply after the session ended',
  notFound: 'Not found: a reply that matches no active session',
  invalidReply: 'Invalid reply: put in front of the question, which is sent again',
  tooManyInvalid: 'Too many invalid replies: the session ends',
};

/** A status to show once the editor of a just-created survey has opened (it opens anew at the survey's own address). */
let pendingStatus: { kind: 'ok'; text: string } | null = null;

interface Ctx {
  draft: JsonObject;
  onChange: OnChange;
  problems: readonly Problem[];
  languages: string[];
  defaultLanguage: string;
}

export function Editor({ surveyId, navigate }: { surveyId: string | null; navigate: (hash: string) => void }) {
  const [draft, setDraft] = useState<JsonObject>(() => ({ ...newSurvey(''), texts: STARTER_TEXTS }));
  const [latest, setLatest] = useState<number | null>(null);
  const [loadedVersion, setLoadedVersion] = useState<number | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [status, setStatus] = useState<{ kind: 'ok' | 'error' | 'info'; text: string } | null>(() => {
    const pending = pendingStatus;
    pendingStatus = null;
    return pending;
  });
  const [tab, setTab] = useState<'form' | 'json'>('form');
  const [saving, setSaving] = useState(false);

  const load = useCallback(
    async (version?: number) => {
      if (!surveyId) return;
      try {
        const path = version ? `${surveyPath(surveyId)}/versions/${version}` : surveyPath(surveyId);
        const { body } = await api<StoredSurvey>('GET', path);
        setDraft(objectAt(body.definition));
        setLoadedVersion(body.version);
        if (!version) setLatest(body.version);
        setProblems([]);
        if (version) setStatus(version !== latest ? { kind: 'info', text: `Showing version ${body.version}; saving it makes a new version.` } : null);
      } catch (error) {
        setStatus({ kind: 'error', text: (error as Error).message });
      }
    },
    [surveyId, latest],
  );
  useEffect(() => {
    // Only when the survey changes, not when `latest` does.
    void load();
  }, [surveyId]);

  const onChange: OnChange = useCallback((path, value) => setDraft((d) => objectAt(setIn(d, path, value))), []);
  const languages = arrayAt(draft['languages']).map(String).filter((l) => l !== '');
  const defaultLanguage = stringAt(draft['defaultLanguage']) || 'en';
  const ctx: Ctx = { draft, onChange, problems, languages: languages.length > 0 ? languages : [defaultLanguage], defaultLanguage };

  async function save() {
    const id = stringAt(draft['id']);
    if (!id) {
      setProblems([parseProblem('id: give the survey an id (letters, digits, "_" and "-")')]);
      return;
    }
    setSaving(true);
    try {
      const { status: code, body } = await api<{ version: number; created: boolean }>('PUT', surveyPath(id), draft);
      setProblems([]);
      setLatest(body.version);
      setLoadedVersion(body.version);
      const saved = { kind: 'ok' as const, text: code === 201 ? `Saved as version ${body.version}.` : `Unchanged: still version ${body.version}.` };
      setStatus(saved);
      if (!surveyId) {
        pendingStatus = saved;
        navigate(`#/surveys/${encodeURIComponent(id)}`);
      }
    } catch (error) {
      if (error instanceof ApiError && error.problems.length > 0) {
        setProblems(error.problems.map(parseProblem));
        setStatus({ kind: 'error', text: `Not saved: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} (shown next to the fields).` });
      } else {
        setStatus({ kind: 'error', text: `Not saved: ${(error as Error).message}` });
      }
    } finally {
      setSaving(false);
    }
  }

  return (
    <div className="editor-layout">
      <section className="editor">
        <header className="editor-head">
          <h1>{surveyId ? `Survey ${surveyId}` : 'New survey'}</h1>
          {surveyId && latest ? (
            <label className="inline">
              <span className="label">Version</span>
              <select value={loadedVersion ?? latest} onChange={(e) => void load(Number(e.target.value))} name="version">
                {Array.from({ length: latest }, (_, i) => latest - i).map((v) => (
                  <option key={v} value={v}>
                    {v}
                    {v === latest ? ' (latest)' : ''}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <div className="tabs" role="tablist">
            <button role="tab" aria-selected={tab === 'form'} className={tab === 'form' ? 'active' : ''} onClick={() => setTab('form')}>
              Form
            </button>
            <button role="tab" aria-selected={tab === 'json'} className={tab === 'json' ? 'active' : ''} onClick={() => setTab('json')}>
              Raw JSON
            </button>
          </div>
          <button className="primary" onClick={() => void save()} disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
          {surveyId ? (
            <>
              <a href={`#/try/${encodeURIComponent(surveyId)}`}>Try it</a>
              <a href={`#/results/${encodeURIComponent(surveyId)}`}>Results</a>
            </>
          ) : null}
        </header>
        {status ? (
          <p className={`status ${status.kind}`} role="status">
            {status.text}
          </p>
        ) : null}
        {problems.length > 0 ? (
          <details className="all-problems" open={problems.some((p) => p.path === '')}>
            <summary>All problems the server found ({problems.length})</summary>
            <ul>
              {problems.map((p) => (
                <li key={p.text}>{p.text}</li>
              ))}
            </ul>
          </details>
        ) : null}
        {tab === 'form' ? <SurveyForm ctx={ctx} isNew={!surveyId} /> : <RawJson draft={draft} onDraft={setDraft} problems={problems} />}
      </section>
      <Preview draft={draft} />
    </div>
  );
}

function SurveyForm({ ctx, isNew }: { ctx: Ctx; isNew: boolean }) {
  const { draft, onChange, problems } = ctx;
  return (
    <>
      <fieldset>
        <legend>Survey</legend>
        <div className="row">
          {isNew ? (
            <TextInput label="Id" path={['id']} value={draft['id']} onChange={onChange} problems={problems} placeholder="csat-after-call" hint="Letters, digits, “_” and “-”; it cannot change later." />
          ) : (
            <Field label="Id" path={['id']} problems={problems}>
              <code>{stringAt(draft['id'])}</code>
            </Field>
          )}
          <TextInput label="Name" path={['name']} value={draft['name']} onChange={onChange} problems={problems} placeholder="Customer satisfaction after a call" />
        </div>
        <div className="row">
          <Languages ctx={ctx} />
          <Field label="Default language" path={['defaultLanguage']} problems={problems} className="narrow">
            <select name="defaultLanguage" value={ctx.defaultLanguage} onChange={(e) => onChange(['defaultLanguage'], e.target.value)}>
              {[...new Set([ctx.defaultLanguage, ...ctx.languages])].map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <ProblemList problems={problems} path="" exact />
      </fieldset>
      <Elements ctx={ctx} />
      <Rules ctx={ctx} />
      <fieldset>
        <legend>Texts</legend>
        {TEXT_KEYS.map((key) => (
          <LocalizedInput
            key={key}
            label={TEXT_LABELS[key] ?? key}
            path={['texts', key]}
            value={getIn(draft, ['texts', key])}
            languages={ctx.languages}
            defaultLanguage={ctx.defaultLanguage}
            onChange={onChange}
            problems={problems}
            multiline
          />
        ))}
        <ProblemList problems={problems} path="texts" exact />
      </fieldset>
      <fieldset>
        <legend>Settings</legend>
        <NumberInput label="Invalid replies in a row before the survey ends" path={['settings', 'maxInvalidReplies']} value={getIn(draft, ['settings', 'maxInvalidReplies'])} onChange={onChange} problems={problems} min={1} />
      </fieldset>
      <Insights ctx={ctx} />
      <fieldset>
        <legend>Follow-up task</legend>
        <p className="hint">
          {isObject(draft['followUp']) ? 'This survey creates a follow-up Flex task; edit it in the Raw JSON tab.' : 'None. A follow-up task (a Flex task to call the customer back when an answer meets a condition) is set in the Raw JSON tab as "followUp" (docs/flex.md).'}
        </p>
        <ProblemList problems={problems} path="followUp" />
      </fieldset>
    </>
  );
}

const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English', no: 'Norwegian', sv: 'Swedish', da: 'Danish', fi: 'Finnish', de: 'German', fr: 'French', es: 'Spanish', nl: 'Dutch', pt: 'Portuguese',
};

/** The languages of the survey: those the engine has phrases for, and any other language tag typed in. */
function Languages({ ctx }: { ctx: Ctx }) {
  const { onChange, problems } = ctx;
  const [extra, setExtra] = useState('');
  const listed = arrayAt(ctx.draft['languages']).map(String);
  const shown = [...new Set([...SUPPORTED_LANGUAGES, ...listed])];
  const toggle = (language: string, on: boolean) => onChange(['languages'], on ? [...listed.filter((l) => l !== language), language] : listed.filter((l) => l !== language));
  return (
    <Field label="Languages" path={['languages']} problems={problems}>
      <span className="checks">
        {shown.map((language) => (
          <label key={language} className="check">
            <input type="checkbox" name={`languages.${language}`} checked={listed.includes(language)} onChange={(e) => toggle(language, e.target.checked)} />{' '}
            {LANGUAGE_NAMES[language] ? `${LANGUAGE_NAMES[language]} (${language})` : language}
          </label>
        ))}
        <input className="tag" name="languages.add" aria-label="Another language tag" placeholder="other tag, e.g. en-GB" value={extra} onChange={(e) => setExtra(e.target.value.trim())} />
        <button type="button" disabled={extra === ''} onClick={() => { toggle(extra, true); setExtra(''); }}>
          Add
        </button>
      </span>
    </Field>
  );
}

function Elements({ ctx }: { ctx: Ctx }) {
  const { draft, onChange, problems } = ctx;
  const elements = arrayAt(draft['elements']);
  const [type, setType] = useState<ElementTypeName>('scale');
  const ids = elements.map((e) => stringAt(objectAt(e)['id']));
  const setElements = (next: Json) => onChange(['elements'], arrayAt(getIn(next, ['elements'])));
  return (
    <fieldset>
      <legend>Elements (asked in order)</legend>
      <ProblemList problems={problems} path="elements" exact />
      {elements.map((raw, index) => (
        <ElementCard
          key={index}
          ctx={ctx}
          index={index}
          element={objectAt(raw)}
          onMove={(by) => setElements(moveAt(draft, ['elements'], index, by))}
          onRemove={() => setElements(removeAt(draft, ['elements'], index))}
        />
      ))}
      <div className="add">
        <select aria-label="Type of the new element" name="new-element-type" value={type} onChange={(e) => setType(e.target.value as ElementTypeName)}>
          {ELEMENT_TYPES.map((t) => (
            <option key={t} value={t}>
              {ELEMENT_TYPE_LABELS[t]}
            </option>
          ))}
        </select>
        <button onClick={() => onChange(['elements'], [...elements, newElement(type, ids)])}>Add element</button>
      </div>
    </fieldset>
  );
}

function ElementCard({ ctx, index, element, onMove, onRemove }: { ctx: Ctx; index: number; element: JsonObject; onMove: (by: -1 | 1) => void; onRemove: () => void }) {
  const { onChange, problems } = ctx;
  const base: Path = ['elements', index];
  const type = stringAt(element['type']) as ElementTypeName;
  const options = arrayAt(element['options']);
  return (
    <div className="card" data-element={index}>
      <div className="card-head">
        <span className="index">{index + 1}</span>
        <TextInput label="Id" path={[...base, 'id']} value={element['id']} onChange={onChange} problems={problems} />
        <Field label="Type" path={[...base, 'type']} problems={problems} className="narrow">
          <select name={`elements[${index}].type`} value={type} onChange={(e) => onChange(base, withType(element, e.target.value as ElementTypeName))}>
            {ELEMENT_TYPES.map((t) => (
              <option key={t} value={t}>
                {ELEMENT_TYPE_LABELS[t]}
              </option>
            ))}
          </select>
        </Field>
        <span className="card-actions">
          <button title="Move up" aria-label="Move up" onClick={() => onMove(-1)}>
            ↑
          </button>
          <button title="Move down" aria-label="Move down" onClick={() => onMove(1)}>
            ↓
          </button>
          <button title="Remove" aria-label="Remove element" onClick={onRemove}>
            ✕
          </button>
        </span>
      </div>
      <ProblemList problems={problems} path={`elements[${index}]`} exact />
      <LocalizedInput label={type === 'text' ? 'Text' : 'Question'} path={[...base, 'text']} value={element['text']} languages={ctx.languages} defaultLanguage={ctx.defaultLanguage} onChange={onChange} problems={problems} multiline />
      {type === 'scale' ? (
        <>
          <div className="row">
            <NumberInput label="From" path={[...base, 'min']} value={element['min']} onChange={onChange} problems={problems} />
            <NumberInput label="To" path={[...base, 'max']} value={element['max']} onChange={onChange} problems={problems} />
          </div>
          <LocalizedInput label="Label of the lowest (optional)" path={[...base, 'minLabel']} value={element['minLabel']} languages={ctx.languages} defaultLanguage={ctx.defaultLanguage} onChange={(p, v) => onChange(p, v)} problems={problems} />
          <LocalizedInput label="Label of the highest (optional)" path={[...base, 'maxLabel']} value={element['maxLabel']} languages={ctx.languages} defaultLanguage={ctx.defaultLanguage} onChange={onChange} problems={problems} />
        </>
      ) : null}
      {type === 'dropdown' || type === 'multiple-choice' ? (
        <div className="options" data-field={`elements[${index}].options`}>
          <span className="label">Options (the customer replies with their numbers, from 1)</span>
          <ProblemList problems={problems} path={`elements[${index}].options`} exact />
          {options.map((option, o) => (
            <div className="option" key={o}>
              <LocalizedInput label={`Option ${o + 1}`} path={[...base, 'options', o, 'text']} value={objectAt(option)['text']} languages={ctx.languages} defaultLanguage={ctx.defaultLanguage} onChange={onChange} problems={problems} />
              <TextInput label="Reporting value (optional)" path={[...base, 'options', o, 'value']} value={objectAt(option)['value']} onChange={(p, v) => onChange(p, v === '' ? undefined : v)} problems={problems} />
              <button aria-label={`Remove option ${o + 1}`} onClick={() => onChange([...base, 'options'], options.filter((_, i) => i !== o))}>
                ✕
              </button>
            </div>
          ))}
          <button onClick={() => onChange([...base, 'options'], [...options, { text: {} }])}>Add option</button>
        </div>
      ) : null}
    </div>
  );
}

const OPS = ['equals', 'one-of', 'range', 'lt', 'lte', 'gt', 'gte', 'any'] as const;

function conditionFor(op: string, previous: JsonObject): JsonObject {
  switch (op) {
    case 'equals':
      return { op, value: previous['value'] ?? 0 };
    case 'one-of':
      return { op, values: Array.isArray(previous['values']) ? previous['values'] : [0] };
    case 'range':
      return { op, min: previous['min'] ?? 0, max: previous['max'] ?? 0 };
    case 'any':
      return { op };
    default:
      return { op, value: typeof previous['value'] === 'number' ? previous['value'] : 0 };
  }
}

/** Condition values as typed: true/false for yes-no, numbers otherwise. */
const parseValue = (text: string): Json => (text.trim() === 'true' ? true : text.trim() === 'false' ? false : Number(text));

function Rules({ ctx }: { ctx: Ctx }) {
  const { draft, onChange, problems } = ctx;
  const rules = arrayAt(draft['rules']);
  const elements = arrayAt(draft['elements']).map(objectAt);
  const questionIds = elements.filter((e) => e['type'] !== 'text').map((e) => stringAt(e['id']));
  const allIds = elements.map((e) => stringAt(e['id']));
  return (
    <fieldset>
      <legend>Rules (after an answer, the first matching rule of its element decides what comes next)</legend>
      <ProblemList problems={problems} path="rules" exact />
      {rules.map((raw, index) => {
        const rule = objectAt(raw);
        const when = objectAt(rule['when']);
        const then = objectAt(rule['then']);
        const op = stringAt(when['op']) || 'equals';
        const base: Path = ['rules', index];
        return (
          <div className="card rule" key={index} data-rule={index}>
            <Field label="After" path={[...base, 'elementId']} problems={problems} className="narrow">
              <select name={`rules[${index}].elementId`} value={stringAt(rule['elementId'])} onChange={(e) => onChange([...base, 'elementId'], e.target.value)}>
                <option value="">(element)</option>
                {[...new Set([...questionIds, stringAt(rule['elementId'])])].filter(Boolean).map((id) => (
                  <option key={id} value={id}>
                    {id}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="when the answer" path={[...base, 'when']} problems={problems} className="narrow">
              <select name={`rules[${index}].when.op`} value={op} onChange={(e) => onChange([...base, 'when'], conditionFor(e.target.value, when))}>
                {OPS.map((o) => (
                  <option key={o} value={o}>
                    {o === 'lt' ? '<' : o === 'lte' ? '≤' : o === 'gt' ? '>' : o === 'gte' ? '≥' : o}
                  </option>
                ))}
              </select>
              {op === 'one-of' ? (
                <input
                  name={`rules[${index}].when.values`}
                  placeholder="0,1"
                  value={arrayAt(when['values']).map(String).join(',')}
                  onChange={(e) => onChange([...base, 'when', 'values'], e.target.value.split(',').filter((s) => s.trim() !== '').map(parseValue))}
                />
              ) : op === 'range' ? (
                <>
                  <input type="number" name={`rules[${index}].when.min`} value={stringAt(when['min'])} onChange={(e) => onChange([...base, 'when', 'min'], Number(e.target.value))} />
                  <input type="number" name={`rules[${index}].when.max`} value={stringAt(when['max'])} onChange={(e) => onChange([...base, 'when', 'max'], Number(e.target.value))} />
                </>
              ) : op === 'any' ? null : (
                <input name={`rules[${index}].when.value`} value={stringAt(when['value'])} onChange={(e) => onChange([...base, 'when', 'value'], parseValue(e.target.value))} />
              )}
            </Field>
            <Field label="then" path={[...base, 'then']} problems={problems} className="narrow">
              <select
                name={`rules[${index}].then`}
                value={then['end'] === true ? '' : stringAt(then['goTo'])}
                onChange={(e) => onChange([...base, 'then'], e.target.value === '' ? { end: true } : { goTo: e.target.value })}
              >
                <option value="">end the survey</option>
                {allIds.filter(Boolean).map((id) => (
                  <option key={id} value={id}>
                    go to {id}
                  </option>
                ))}
              </select>
            </Field>
            <button aria-label="Remove rule" onClick={() => onChange(['rules'], rules.filter((_, i) => i !== index))}>
              ✕
            </button>
          </div>
        );
      })}
      <p className="hint">Values compare with the stored answer: numbers for scale and NPS, true/false for yes-no, option numbers counted from 0 for choices.</p>
      <button onClick={() => onChange(['rules'], [...rules, { elementId: questionIds[0] ?? '', when: { op: 'equals', value: 0 }, then: { end: true } }])} disabled={questionIds.length === 0}>
        Add rule
      </button>
    </fieldset>
  );
}

const KINDS = ['measures', 'labels', 'attributes'] as const;

function Insights({ ctx }: { ctx: Ctx }) {
  const { draft, onChange, problems } = ctx;
  const insights = isObject(draft['insights']) ? draft['insights'] : undefined;
  const questions = arrayAt(draft['elements']).map(objectAt).filter((e) => e['type'] !== 'text');
  const mappingOf = (id: string): { kind: (typeof KINDS)[number] | ''; slot: number } => {
    for (const kind of KINDS) {
      const slot = objectAt(insights?.[kind])[id];
      if (typeof slot === 'number') return { kind, slot };
    }
    return { kind: '', slot: 1 };
  };
  const setMapping = (id: string, kind: string, slot: number) => {
    let next: Json = insights ?? {};
    for (const k of KINDS) next = setIn(next, [k, id], undefined);
    if (kind) next = setIn(next, [kind, id], slot);
    onChange(['insights'], next);
  };
  return (
    <fieldset>
      <legend>Flex Insights mapping</legend>
      <label className="check">
        <input type="checkbox" name="insights.custom" checked={insights !== undefined} onChange={(e) => onChange(['insights'], e.target.checked ? { measures: {}, labels: {}, attributes: {} } : undefined)} /> Map answers to
        Flex Insights fields myself (otherwise: scores become measures and choices labels in survey order; free text is left out)
      </label>
      <ProblemList problems={problems} path="insights" exact />
      {insights
        ? questions.map((q) => {
            const id = stringAt(q['id']);
            const { kind, slot } = mappingOf(id);
            return (
              <div className="row" key={id} data-field={kind ? `insights.${kind}.${id}` : `insights.${id}`}>
                <span className="label insights-id">{id}</span>
                <select name={`insights.${id}.kind`} value={kind} onChange={(e) => setMapping(id, e.target.value, slot)}>
                  <option value="">not mapped</option>
                  <option value="measures">conversation_measure_N</option>
                  <option value="labels">conversation_label_N</option>
                  <option value="attributes">conversation_attribute_N</option>
                </select>
                {kind ? (
                  <input type="number" min={1} max={10} name={`insights.${id}.slot`} aria-label={`N for ${id}`} value={slot} onChange={(e) => setMapping(id, kind, Number(e.target.value))} />
                ) : null}
                {kind ? <ProblemList problems={problems} path={`insights.${kind}.${id}`} /> : null}
              </div>
            );
          })
        : null}
      {insights ? (
        <NumberInput label="conversation_label_N for “no response” (optional)" path={['insights', 'noResponseLabel']} value={insights['noResponseLabel']} onChange={onChange} problems={problems} min={1} max={10} />
      ) : null}
    </fieldset>
  );
}

function RawJson({ draft, onDraft, problems }: { draft: JsonObject; onDraft: (d: JsonObject) => void; problems: readonly Problem[] }) {
  const [text, setText] = useState(() => JSON.stringify(draft, null, 2));
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="raw-json" data-field="(json)">
      <p className="hint">The survey exactly as it is saved (docs/surveys.md). Edits here show in the form and the preview at once.</p>
      <textarea
        name="raw-json"
        spellCheck={false}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          try {
            const parsed = JSON.parse(e.target.value) as unknown;
            if (!isObject(parsed)) throw new Error('the survey must be a JSON object');
            setError(null);
            onDraft(parsed);
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      />
      {error ? <p className="problem">Not valid JSON: {error}</p> : null}
      {problems.length > 0 ? <p className="hint">The server's problems are listed above.</p> : null}
    </div>
  );
}
