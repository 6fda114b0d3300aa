// The gateway answers an invalid survey with 400 and `problems`, each "path: message", the path naming the field
// (`elements[2] ("satisfaction").min`, `texts.completion.no`, `rules[0].then.goTo`). The editor shows each one next
// to the field it names: paths are normalised to the form the editor's fields are keyed by (`elements[2].min`).

export interface Problem {
  /** Normalised: element ids in quotes dropped; '' for a problem of the whole survey. */
  path: string;
  message: string;
  /** As the server wrote it. */
  text: string;
}

export function normalizePath(path: string): string {
  const trimmed = path.trim();
  if (trimmed === '(survey)' || trimmed === '(body)') return '';
  return trimmed.replace(/ \("[^"]*"\)/g, '');
}

export function parseProblem(text: string): Problem {
  const at = text.indexOf(': ');
  if (at < 0) return { path: '', message: text, text };
  return { path: normalizePath(text.slice(0, at)), message: text.slice(at + 2), text };
}

/** Problems of the field at `path` or inside it (`texts.completion` also shows `texts.completion.no`). */
export function problemsAt(problems: readonly Problem[], path: string, options: { exact?: boolean } = {}): Problem[] {
  return problems.filter(
    (p) => p.path === path || (!options.exact && (p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`))),
  );
}

/** A field path from parts: `['elements', 2, 'min']` → `elements[2].min`. */
export function pathOf(parts: readonly (string | number)[]): string {
  return parts.reduce<string>((path, part) => (typeof part === 'number' ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}
