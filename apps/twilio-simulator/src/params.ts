/** Request parameters as Twilio receives them: a repeated name gives an array. */
export type Params = Record<string, string | string[]>;

export function parseFormBody(body: string): Params {
  const params: Params = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const previous = params[name];
    params[name] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return params;
}

export function toParams(value: unknown): Params {
  if (typeof value !== 'object' || value === null) return {};
  const params: Params = {};
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === 'string') params[name] = v;
    else if (Array.isArray(v)) params[name] = v.map(String);
    else if (v !== undefined && v !== null) params[name] = String(v);
  }
  return params;
}

/** The (last) value of a parameter. */
export function param(params: Params, name: string): string | undefined {
  const value = params[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

export function paramValues(params: Params, name: string): string[] {
  const value = params[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
