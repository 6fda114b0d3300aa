// The survey being edited: plain JSON, as the raw-JSON tab shows it and as it is PUT. The forms read it with the
// helpers below and change it immutably with `setIn`; whatever they cannot express stays as it is.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type Path = readonly (string | number)[];

export const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
export const objectAt = (value: unknown): JsonObject => (isObject(value) ? value : {});
export const arrayAt = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
export const stringAt = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));

export function getIn(value: unknown, path: Path): Json | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (typeof key === 'number') current = Array.isArray(current) ? current[key] : undefined;
    else current = isObject(current) ? current[key] : undefined;
  }
  return current as Json | undefined;
}

/** A copy of `root` with `value` at `path` (undefined removes an object key), creating objects on the way. */
export function setIn(root: Json | undefined, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const [key, ...rest] = path;
  if (typeof key === 'number') {
    const array = Array.isArray(root) ? [...root] : [];
    const next = setIn(array[key], rest, value);
    array[key] = next;
    return array;
  }
  const object: JsonObject = isObject(root) ? { ...root } : {};
  const next = rest.length === 0 ? value : setIn(object[key!], rest, value);
  if (next === undefined) delete object[key!];
  else object[key!] = next;
  return object;
}

export function removeAt(root: Json, path: Path, index: number): Json {
  const array = arrayAt(getIn(root, path));
  return setIn(root, path, array.filter((_, i) => i !== index));
}

export function moveAt(root: Json, path: Path, index: number, by: -1 | 1): Json {
  const array = [...arrayAt(getIn(root, path))];
  const to = index + by;
  if (to < 0 || to >= array.length) return root;
  [array[index], array[to]] = [array[to]!, array[index]!];
  return setIn(root, path, array);
}

export const ELEMENT_TYPES = ['text', 'scale', 'nps', 'yes-no', 'dropdown', 'multiple-choice', 'free-text'] as const;
export type ElementTypeName = (typeof ELEMENT_TYPES)[number];
export const ELEMENT_TYPE_LABELS: Record<ElementTypeName, string> = {
  text: 'Text (information)',
  scale: 'Scale',
  nps: 'NPS (0–10)',
  'yes-no': 'Yes / no',
  dropdown: 'Dropdown (pick one)',
  'multiple-choice': 'Multiple choice',
  'free-text': 'Free text',
};

/** The element `element` becomes as `type`: id and text kept, the type's own fields added or dropped. */
export function withType(element: JsonObject, type: ElementTypeName): JsonObject {
  const base: JsonObject = { id: element['id'] ?? '', type, text: element['text'] ?? {} };
  switch (type) {
    case 'scale':
      return { ...base, min: element['min'] ?? 1, max: element['max'] ?? 5, ...(element['minLabel'] ? { minLabel: element['minLabel'] } : {}), ...(element['maxLabel'] ? { maxLabel: element['maxLabel'] } : {}) };
    case 'dropdown':
    case 'multiple-choice':
      return { ...base, options: Array.isArray(element['options']) ? element['options'] : [{ text: {} }, { text: {} }] };
    default:
      return base;
  }
}

export function newElement(type: ElementTypeName, existingIds: readonly string[]): JsonObject {
  let n = existingIds.length + 1;
  while (existingIds.includes(`q${n}`)) n += 1;
  return withType({ id: `q${n}`, text: {} }, type);
}

export function newSurvey(id: string): JsonObject {
  return {
    id,
    name: '',
    defaultLanguage: 'en',
    languages: ['en'],
    elements: [],
    rules: [],
    texts: { completion: {}, unavailable: {}, notFound: {}, invalidReply: {}, tooManyInvalid: {} },
    settings: { maxInvalidReplies: 3 },
  };
}

/** Sensible English texts for a new survey, so a first survey needs only its questions. */
export const STARTER_TEXTS: JsonObject = {
  completion: { en: 'Thank you for your feedback!' },
  unavailable: { en: 'This survey is no longer available.' },
  notFound: { en: 'Sorry, we could not find an active survey for this number.' },
  invalidReply: { en: 'Sorry, we did not understand your answer.' },
  tooManyInvalid: { en: 'We did not understand your answers, so we have ended the survey. Thank you!' },
};
