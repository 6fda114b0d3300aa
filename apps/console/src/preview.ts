// The console's SMS preview: what the engine would text for a survey being edited, in one language, with what
// each SMS costs. Rendering and segment counting are the services' own code (@sms-survey/survey-domain and
// @sms-survey/sms-domain), so the preview cannot drift from what is sent; this file only copes with a draft that
// is not (yet) a valid survey, and lays the results out for the page.
import { countSegments, type SmsEncoding } from '@sms-survey/sms-domain';
import {
  Language,
  LocalizedText,
  Rule,
  SMS_SPACING_SECONDS,
  SUPPORTED_LANGUAGES,
  SurveyDefinition,
  SurveyElement,
  TEXT_KEYS,
  handleReply,
  renderElement,
  startSurvey,
  surveyText,
  type TextKey,
} from '@sms-survey/survey-domain';

export { SMS_SPACING_SECONDS, SUPPORTED_LANGUAGES, TEXT_KEYS };

/** A run of characters of one kind, for highlighting the ones that force UCS-2. */
export interface Piece {
  text: string;
  /** Not in GSM-7: its presence makes the whole SMS UCS-2. */
  ucs2: boolean;
}

export interface SmsStats {
  body: string;
  /** Characters as a person counts them (code points: an emoji is one). */
  characters: number;
  encoding: SmsEncoding;
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2), as the segment count counts them. */
  units: number;
  /** How many units fit one segment of this SMS: 160 / 153 (GSM-7), 70 / 67 (UCS-2). */
  perSegment: number;
  /** The distinct characters that force UCS-2, in order of appearance. */
  ucs2Characters: string[];
  pieces: Piece[];
}

export function forcesUcs2(character: string): boolean {
  return countSegments(character).encoding === 'UCS-2';
}

/** What one SMS body costs, by the dispatcher's own segment counting. */
export function smsStats(body: string): SmsStats {
  const { encoding, segments, units } = countSegments(body);
  const pieces: Piece[] = [];
  const ucs2Characters: string[] = [];
  let characters = 0;
  for (const character of body) {
    characters += 1;
    const ucs2 = encoding === 'UCS-2' && forcesUcs2(character);
    if (ucs2 && !ucs2Characters.includes(character)) ucs2Characters.push(character);
    const last = pieces[pieces.length - 1];
    if (last && last.ucs2 === ucs2) last.text += character;
    else pieces.push({ text: character, ucs2 });
  }
  const perSegment = encoding === 'GSM-7' ? (segments > 1 ? 153 : 160) : segments > 1 ? 67 : 70;
  return { body, characters, encoding, segments, units, perSegment, ucs2Characters, pieces };
}

export interface ElementPreview {
  index: number;
  id: string;
  type: string;
  sms?: SmsStats;
  /** Why this element cannot be previewed (it is not a valid element yet). */
  problem?: string;
}

export interface OutgoingPreview {
  /** Seconds after the first SMS: 0, 2, 4, … (seed step 3). */
  delaySeconds: number;
  sms: SmsStats;
}

export interface DraftPreview {
  language: string;
  languages: string[];
  defaultLanguage: string;
  elements: ElementPreview[];
  texts: { key: TextKey; sms: SmsStats }[];
  /** The SMS a customer gets after an invalid reply to the first question (invalidReply text + the question). */
  invalidReply?: { elementId: string; sms: SmsStats };
  /** The opening messages (text elements up to the first question), or why there are none. */
  opening: { messages: OutgoingPreview[]; approximate: boolean } | { problem: string };
}

const asRecord = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** What a part of the survey that does not parse is replaced by, for the preview only. */
function fallbackFor(key: string, candidate: Record<string, unknown>): unknown {
  switch (key) {
    case 'id':
    case 'name':
      return 'draft';
    case 'defaultLanguage':
      return asArray(candidate['languages']).find((l) => Language.safeParse(l).success) ?? 'en';
    case 'languages':
      return [Language.safeParse(candidate['defaultLanguage']).data ?? 'en'];
    case 'elements':
    case 'rules':
      return [];
    case 'texts':
      return Object.fromEntries(TEXT_KEYS.map((key) => [key, {}]));
    case 'settings':
      return {};
    default:
      return undefined;
  }
}

/**
 * The parts of a draft that are valid, as a survey the engine's functions accept: elements, texts and rules that
 * do not parse are left out (and each element's reason reported), and whatever else does not parse is replaced by
 * a plain default (no phrases, default settings, language `en`). The survey schema itself decides what parses.
 */
export function lenientSurvey(draft: unknown): { survey: SurveyDefinition; elements: ElementPreview[]; allElementsValid: boolean } {
  const raw = asRecord(draft);
  const validElements: unknown[] = [];
  const elements: ElementPreview[] = asArray(raw['elements']).map((rawElement, index) => {
    const record = asRecord(rawElement);
    const id = typeof record['id'] === 'string' ? record['id'] : `elements[${index}]`;
    const type = typeof record['type'] === 'string' ? record['type'] : '?';
    const parsed = SurveyElement.safeParse(rawElement);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { index, id, type, problem: issue ? `${issue.path.join('.') || 'element'}: ${issue.message}` : 'not a valid element' };
    }
    validElements.push(rawElement);
    return { index, id, type };
  });
  const ids = new Set(validElements.map((e) => asRecord(e)['id']));
  const rawTexts = asRecord(raw['texts']);
  const candidate: Record<string, unknown> = {
    ...raw,
    elements: validElements,
    rules: asArray(raw['rules']).filter((r) => {
      const rule = Rule.safeParse(r).data;
      return rule !== undefined && ids.has(rule.elementId) && (!('goTo' in rule.then) || ids.has(rule.then.goTo));
    }),
    // A text that does not parse previews as none ({}), which is what the engine falls back from.
    texts: Object.fromEntries(TEXT_KEYS.map((key) => [key, LocalizedText.safeParse(rawTexts[key]).success ? rawTexts[key] : {}])),
  };
  let survey: SurveyDefinition | undefined;
  for (let attempt = 0; attempt < 10 && !survey; attempt++) {
    const parsed = SurveyDefinition.safeParse(candidate);
    if (parsed.success) {
      survey = parsed.data;
      break;
    }
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
        for (const key of issue.keys) delete candidate[key];
        continue;
      }
      const key = String(issue.path[0] ?? '');
      const fallback = fallbackFor(key, candidate);
      if (fallback === undefined) delete candidate[key];
      else candidate[key] = fallback;
    }
  }
  survey ??= SurveyDefinition.parse({ id: 'draft', name: 'draft', defaultLanguage: 'en', languages: ['en'], elements: [], texts: fallbackFor('texts', {}) });
  return { survey, elements, allElementsValid: elements.every((e) => !e.problem) };
}

/** The engine's answer, or why it has none (a draft can be valid in shape and still lack, say, a phrase). */
function attempt<T>(render: () => T): { value: T } | { problem: string } {
  try {
    return { value: render() };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/** Everything the engine would text for `draft` in `language`, each SMS with its cost. */
export function previewDraft(draft: unknown, language: string, content?: string): DraftPreview {
  const { survey, elements, allElementsValid } = lenientSurvey(draft);
  const lang = survey.languages.find((l) => l === language) ?? survey.defaultLanguage;
  const byId = new Map(survey.elements.map((e) => [e.id, e]));
  const elementPreviews = elements.map((preview): ElementPreview => {
    const element = preview.problem ? undefined : byId.get(preview.id);
    if (!element) return preview;
    const rendered = attempt(() => renderElement(element, lang, survey));
    return 'value' in rendered ? { ...preview, sms: smsStats(rendered.value) } : { ...preview, problem: rendered.problem };
  });
  const texts = TEXT_KEYS.map((key) => {
    const rendered = attempt(() => surveyText(survey, key, lang));
    return { key, sms: smsStats('value' in rendered ? rendered.value : '') };
  });

  let opening: DraftPreview['opening'];
  let invalidReply: DraftPreview['invalidReply'];
  try {
    const started = startSurvey(survey, { language: lang, ...(content ? { content } : {}), now: new Date() });
    opening = {
      messages: started.outgoing.map((o) => ({ delaySeconds: o.delaySeconds, sms: smsStats(o.body) })),
      approximate: !allElementsValid,
    };
    // An empty reply is invalid for every question; at least 2 allowed, so the answer is the retry, not the goodbye.
    const retrying = { ...survey, settings: { maxInvalidReplies: Math.max(2, survey.settings.maxInvalidReplies) } };
    const decision = handleReply(retrying, started.state, '', { now: new Date() });
    const body = decision.outgoing[0]?.body;
    if (decision.kind === 'invalid' && body !== undefined) invalidReply = { elementId: started.currentElementId, sms: smsStats(body) };
  } catch {
    opening = { problem: 'no element asks for a reply yet, so nothing would be sent' };
  }
  return {
    language: lang,
    languages: survey.languages,
    defaultLanguage: survey.defaultLanguage,
    elements: elementPreviews,
    texts,
    ...(invalidReply && { invalidReply }),
    opening,
  };
}
