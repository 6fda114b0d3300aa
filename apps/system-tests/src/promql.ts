// A small PromQL reader for the tests of the alert rules and the dashboard (deploy/observability): it checks that
// an expression is well formed (brackets, braces and quotes balanced, range durations valid, operators between
// operands) and returns the metric names it selects. It is not a full parser; Prometheus's promtool is, where
// installed (`promtool check rules`).

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'inf', 'nan', 'atan2']);
/** Functions and aggregations: an identifier followed by `(`. */
const LABEL_LIST_BEFORE = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$|^\$__(rate_interval|interval|range)$/;

export interface PromqlCheck {
  metrics: string[];
  problems: string[];
}

/** Metric names an expression selects, and what is wrong with it. Grafana's `$variables` are allowed. */
export function checkPromql(expr: string): PromqlCheck {
  const metrics = new Set<string>();
  const problems: string[] = [];
  const stack: string[] = [];
  const closing: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let i = 0;
  let previousWord: string | undefined;
  /** Inside a `by (…)`-like list or a `{…}` selector: identifiers are label names. */
  const labelContext: boolean[] = [];
  let lastToken: 'operand' | 'operator' | 'open' | 'none' = 'none';
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const end = findStringEnd(expr, i);
      if (end < 0) {
        problems.push(`unterminated string at ${i}`);
        break;
      }
      i = end + 1;
      lastToken = 'operand';
      continue;
    }
    if (c === '(' || c === '{') {
      stack.push(c);
      labelContext.push(c === '{' || (c === '(' && previousWord !== undefined && LABEL_LIST_BEFORE.has(previousWord)));
      previousWord = undefined;
      lastToken = 'open';
      i++;
      continue;
    }
    if (c === '[') {
      const end = expr.indexOf(']', i);
      if (end < 0) {
        problems.push(`unterminated range at ${i}`);
        break;
      }
      const inside = expr.slice(i + 1, end).trim();
      // [5m] or a subquery [1h:5m]
      for (const part of inside.split(':')) {
        if (part !== '' && !DURATION.test(part.trim())) problems.push(`bad duration [${inside}]`);
      }
      i = end + 1;
      lastToken = 'operand';
      continue;
    }
    if (c === ')' || c === '}' || c === ']') {
      if (stack.pop() !== closing[c]) problems.push(`unbalanced ${c} at ${i}`);
      const wasLabelList = labelContext.pop() === true && c === ')';
      previousWord = undefined;
      // After `on (…)` / `by (…)` an operand (or the aggregated expression) still follows.
      lastToken = wasLabelList ? 'operator' : 'operand';
      i++;
      continue;
    }
    const word = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(expr.slice(i))?.[0];
    if (word === 'offset') {
      const duration = /^offset\s+(-?[0-9a-z]+)/.exec(expr.slice(i));
      if (!duration || !DURATION.test(duration[1]!.replace(/^-/, ''))) problems.push(`bad offset at ${i}`);
      i += duration?.[0].length ?? word.length;
      lastToken = 'operand';
      continue;
    }
    if (word) {
      const inLabels = labelContext.at(-1) === true;
      const rest = expr.slice(i + word.length).trimStart();
      const next = /^(by|without)\s*\(/.test(rest) ? '(' : rest[0]; // `sum by (…) (…)` is an aggregation too
      if (inLabels) {
        // a label name (in a selector it is followed by a matcher)
        if (stack.at(-1) === '{' && !/^[=!]/.test(expr.slice(i + word.length).trimStart())) problems.push(`label ${word} without a matcher`);
      } else if (next === '(' && !KEYWORDS.has(word)) {
        // a function or an aggregation
      } else if (!KEYWORDS.has(word.toLowerCase())) {
        if (lastToken === 'operand') problems.push(`two operands in a row before ${word}`);
        metrics.add(word);
        lastToken = 'operand';
      } else {
        lastToken = LABEL_LIST_BEFORE.has(word) ? lastToken : 'operator';
      }
      previousWord = word;
      i += word.length;
      continue;
    }
    const number = /^(\d+(\.\d+)?([eE][-+]?\d+)?)/.exec(expr.slice(i))?.[0];
    if (number) {
      i += number.length;
      lastToken = 'operand';
      previousWord = undefined;
      continue;
    }
    if (c === '$') {
      const variable = /^\$[A-Za-z_][A-Za-z0-9_]*/.exec(expr.slice(i))?.[0];
      if (!variable) problems.push(`stray $ at ${i}`);
      i += variable?.length ?? 1;
      lastToken = 'operand';
      continue;
    }
    const operator = /^(==|!=|>=|<=|=~|!~|[-+*/%^<>=,])/.exec(expr.slice(i))?.[0];
    if (operator) {
      i += operator.length;
      lastToken = 'operator';
      previousWord = undefined;
      continue;
    }
    problems.push(`unexpected ${JSON.stringify(c)} at ${i}`);
    i++;
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join('')}`);
  if (lastToken === 'operator') problems.push('ends with an operator');
  return { metrics: [...metrics], problems };
}

function findStringEnd(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (quote !== '`' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

/**
 * The metric names a Prometheus text exposition offers: each `# TYPE` line's name, and a histogram's or a
 * summary's `_bucket`, `_sum`, `_count` series.
 */
export function exposedMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
    const [, name, type] = m;
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name! + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name! + suffix);
  }
  return names;
}
