// What the results page computes for itself (no React here, so it is unit tested): query strings from the filters,
// labels from the survey definition, and the geometry of the line chart.

export interface ResultFilters {
  version: string;
  /** `YYYY-MM-DD` in the browser's time zone, or ''. */
  from: string;
  /** `YYYY-MM-DD`, inclusive, or ''. */
  to: string;
  status: string;
  queueKey: string;
  agentId: string;
}

export const NO_FILTERS: ResultFilters = { version: '', from: '', to: '', status: '', queueKey: '', agentId: '' };

/** The start of a local day as an instant (the API takes instants; a day is the browser's). */
export function dayStart(day: string, offsetDays = 0): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d! + offsetDays).toISOString();
}

/** The browser's IANA time zone, for the day buckets. */
export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

function range(params: URLSearchParams, f: ResultFilters) {
  if (f.version) params.set('version', f.version);
  if (f.from) params.set('from', dayStart(f.from));
  if (f.to) params.set('to', dayStart(f.to, 1));
}

/** `GET …/results`: version and dates (the aggregates are over the whole survey otherwise), days in `tz`. */
export function resultsQuery(f: ResultFilters, tz: string): string {
  const params = new URLSearchParams();
  range(params, f);
  params.set('tz', tz);
  return params.toString();
}

/** `GET …/results/export`: every filter, as JSON pages or CSV. */
export function exportQuery(f: ResultFilters, options: { format: 'json' | 'csv'; limit?: number; before?: string }): string {
  const params = new URLSearchParams({ format: options.format });
  if (options.limit) params.set('limit', String(options.limit));
  if (options.before) params.set('before', options.before);
  range(params, f);
  if (f.status) params.set('status', f.status);
  if (f.queueKey) params.set('queueKey', f.queueKey);
  if (f.agentId) params.set('agentId', f.agentId);
  return params.toString();
}

interface DefinedElement {
  id: string;
  type: string;
  text?: Record<string, string>;
  options?: { text?: Record<string, string>; value?: string }[];
}

export interface ElementLabels {
  question: string;
  /** The label of a stored value as the API lists it (JSON text: `4`, `true`, `0` for the first option). */
  value(value: string): string;
}

/** Question texts and option labels of a definition, in its default language. */
export function elementLabels(definition: unknown): Map<string, ElementLabels> {
  const d = (definition ?? {}) as { defaultLanguage?: string; elements?: DefinedElement[] };
  const lang = d.defaultLanguage ?? 'en';
  const labels = new Map<string, ElementLabels>();
  for (const e of Array.isArray(d.elements) ? d.elements : []) {
    const text = (t?: Record<string, string>) => t?.[lang] ?? Object.values(t ?? {})[0] ?? '';
    labels.set(e.id, {
      question: text(e.text),
      value(value) {
        if (e.type === 'yes-no') return value === 'true' ? 'Yes' : value === 'false' ? 'No' : value;
        if ((e.type === 'dropdown' || e.type === 'multiple-choice') && /^\d+$/.test(value)) {
          const option = e.options?.[Number(value)];
          return option ? text(option.text) || option.value || value : value;
        }
        return value;
      },
    });
  }
  return labels;
}

/** A stored answer as a person reads it: option labels for choices (each one chosen), Yes/No, numbers, the text. */
export function answerLabel(labels: ElementLabels | undefined, value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => answerLabel(labels, v)).join(', ');
  const text = JSON.stringify(value);
  return labels ? labels.value(text) : text;
}

export interface ChartPoint {
  label: string;
  value: number | null;
  /** Shown in the point's tooltip. */
  note?: string;
}

/** Where each point of a line chart goes in a `width` × `height` box (y from `min` at the bottom to `max`); nulls are gaps. */
export function linePoints(points: readonly ChartPoint[], box: { width: number; height: number; min: number; max: number; pad: number }) {
  const { width, height, min, max, pad } = box;
  const step = points.length > 1 ? (width - 2 * pad) / (points.length - 1) : 0;
  const y = (v: number) => pad + (height - 2 * pad) * (1 - (Math.min(max, Math.max(min, v)) - min) / (max - min));
  const placed = points.map((p, i) => ({ ...p, x: points.length > 1 ? pad + i * step : width / 2, y: p.value === null ? null : y(p.value) }));
  // Runs of consecutive numbers, each a polyline.
  const runs: string[] = [];
  let run: string[] = [];
  for (const p of placed) {
    if (p.y === null) {
      if (run.length > 0) runs.push(run.join(' '));
      run = [];
    } else run.push(`${p.x.toFixed(1)},${p.y.toFixed(1)}`);
  }
  if (run.length > 0) runs.push(run.join(' '));
  return { placed, runs, y };
}

export const percent = (rate: number | null): string => (rate === null ? '–' : `${Math.round(rate * 100)} %`);
export const score = (value: number | null): string => (value === null ? '–' : String(value));
