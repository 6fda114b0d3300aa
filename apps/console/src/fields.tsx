import type { ReactNode } from 'react';
import { objectAt, stringAt, type Json, type Path } from './draft.js';
import { pathOf, problemsAt, type Problem } from './problems.js';

export type OnChange = (path: Path, value: Json | undefined) => void;

/** The server's problems for this field (and inside it), shown under it. */
export function ProblemList({ problems, path, exact }: { problems: readonly Problem[]; path: string; exact?: boolean }) {
  const mine = problemsAt(problems, path, { exact: exact ?? false });
  if (mine.length === 0) return null;
  return (
    <ul className="problems" role="alert">
      {mine.map((p) => (
        <li key={p.text} className="problem" title={p.text}>
          {p.path !== path && p.path.startsWith(path) ? <code>{p.path.slice(path.length).replace(/^\./, '')}</code> : null} {p.message}
        </li>
      ))}
    </ul>
  );
}

export function Field(props: { label: ReactNode; path: Path; problems: readonly Problem[]; children: ReactNode; hint?: ReactNode; className?: string }) {
  const path = pathOf(props.path);
  const invalid = problemsAt(props.problems, path).length > 0;
  return (
    <div className={`field${invalid ? ' invalid' : ''}${props.className ? ` ${props.className}` : ''}`} data-field={path}>
      <label>
        <span className="label">{props.label}</span>
        {props.children}
      </label>
      {props.hint ? <div className="hint">{props.hint}</div> : null}
      <ProblemList problems={props.problems} path={path} />
    </div>
  );
}

export function TextInput(props: { label: ReactNode; path: Path; value: Json | undefined; onChange: OnChange; problems: readonly Problem[]; placeholder?: string; hint?: ReactNode }) {
  return (
    <Field label={props.label} path={props.path} problems={props.problems} hint={props.hint}>
      <input
        name={pathOf(props.path)}
        value={stringAt(props.value)}
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(props.path, e.target.value)}
      />
    </Field>
  );
}

/** A whole number; cleared, the key is removed (and the server says whether it was needed). */
export function NumberInput(props: { label: ReactNode; path: Path; value: Json | undefined; onChange: OnChange; problems: readonly Problem[]; min?: number; max?: number }) {
  return (
    <Field label={props.label} path={props.path} problems={props.problems} className="narrow">
      <input
        type="number"
        name={pathOf(props.path)}
        value={typeof props.value === 'number' ? props.value : stringAt(props.value)}
        min={props.min}
        max={props.max}
        onChange={(e) => props.onChange(props.path, e.target.value === '' ? undefined : Number(e.target.value))}
      />
    </Field>
  );
}

/**
 * A localized text: one box per language of the survey. An emptied box removes that language's text, so the
 * default language's box left empty is what the server reports as missing.
 */
export function LocalizedInput(props: {
  label: ReactNode;
  path: Path;
  value: Json | undefined;
  languages: readonly string[];
  defaultLanguage: string;
  onChange: OnChange;
  problems: readonly Problem[];
  multiline?: boolean;
  placeholder?: string;
}) {
  const value = objectAt(props.value);
  const extra = Object.keys(value).filter((l) => !props.languages.includes(l));
  return (
    <Field label={props.label} path={props.path} problems={props.problems} className="localized">
      {[...props.languages, ...extra].map((language) => {
        const name = pathOf([...props.path, language]);
        const common = {
          name,
          'aria-label': `${typeof props.label === 'string' ? props.label : name} (${language})`,
          value: stringAt(value[language]),
          placeholder: language === props.defaultLanguage ? (props.placeholder ?? '') : `falls back to ${props.defaultLanguage}`,
          onChange: (e: { target: { value: string } }) => props.onChange([...props.path, language], e.target.value === '' ? undefined : e.target.value),
        };
        return (
          <span className="lang-row" key={language}>
            <span className={`lang${language === props.defaultLanguage ? ' default' : ''}`}>{language}</span>
            {props.multiline ? <textarea rows={2} {...common} /> : <input {...common} />}
          </span>
        );
      })}
    </Field>
  );
}
