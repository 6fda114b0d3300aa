import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countSegments } from '@sms-survey/sms-domain';
import { TEXT_KEYS, renderElement, startSurvey, surveyText, validateSurveyDefinition, type SurveyDefinition } from '@sms-survey/survey-domain';
import { getIn, moveAt, newElement, newSurvey, setIn, withType } from '../src/draft.js';
import { lenientSurvey, previewDraft, smsStats } from '../src/preview.js';
import { normalizePath, parseProblem, pathOf, problemsAt } from '../src/problems.js';

const csat = JSON.parse(readFileSync(new URL('../../../examples/surveys/csat-en-no.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const parsedCsat = (): SurveyDefinition => {
  const result = validateSurveyDefinition(csat);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.survey;
};

describe('smsStats: what one SMS costs, by the dispatcher’s own counting', () => {
  it('GSM-7 text: 160 in one segment, 153 per part beyond; extension characters take two septets', () => {
    expect(smsStats('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1, units: 160, perSegment: 160, characters: 160, ucs2Characters: [] });
    expect(smsStats('a'.repeat(161))).toMatchObject({ encoding: 'GSM-7', segments: 2, perSegment: 153 });
    expect(smsStats('Pris: 10€ [ok]')).toMatchObject({ encoding: 'GSM-7', units: 17, characters: 14 });
    // Norwegian letters are GSM-7: æ ø å Æ Ø Å.
    expect(smsStats('Hvor fornøyd var du? Æ Ø Å æ ø å').encoding).toBe('GSM-7');
  });

  it('one emoji or curly quote makes the whole SMS UCS-2: 70 per segment, 67 per part, the emoji counted twice; those characters are marked', () => {
    const body = 'How was it? 🙂 Reply 1–5';
    const stats = smsStats(body);
    expect(stats).toMatchObject({ encoding: 'UCS-2', segments: 1, perSegment: 70, units: body.length, characters: [...body].length });
    expect(stats.units).toBe(stats.characters + 1); // the emoji is two UTF-16 units
    expect(stats.ucs2Characters).toEqual(['🙂', '–']);
    expect(stats.pieces).toEqual([
      { text: 'How was it? ', ucs2: false },
      { text: '🙂', ucs2: true },
      { text: ' Reply 1', ucs2: false },
      { text: '–', ucs2: true },
      { text: '5', ucs2: false },
    ]);
    expect(stats.pieces.map((p) => p.text).join('')).toBe(body);
    expect(smsStats(`${'a'.repeat(70)}’`)).toMatchObject({ encoding: 'UCS-2', segments: 2, perSegment: 67, ucs2Characters: ['’'] });
  });

  it('agrees with countSegments on every body', () => {
    for (const body of ['', 'hei', '€'.repeat(81), '😀'.repeat(35), '😀'.repeat(36), 'x\ny']) {
      const { encoding, segments, units } = countSegments(body);
      expect(smsStats(body)).toMatchObject({ encoding, segments, units });
    }
  });
});

describe('previewDraft: the engine’s own rendering of a valid survey', () => {
  it('renders every element as renderElement does, per language', () => {
    const survey = parsedCsat();
    for (const language of ['en', 'no']) {
      const preview = previewDraft(csat, language);
      expect(preview.language).toBe(language);
      expect(preview.elements.map((e) => e.sms?.body)).toEqual(survey.elements.map((e) => renderElement(e, language, survey)));
    }
  });

  it('the opening sequence is startSurvey’s: text elements then the first question, 2 s apart, content in front of the first', () => {
    const survey = parsedCsat();
    const preview = previewDraft(csat, 'no', 'Hei fra Kundeservice.');
    const expected = startSurvey(survey, { language: 'no', content: 'Hei fra Kundeservice.', now: new Date() }).outgoing;
    expect('messages' in preview.opening && preview.opening.messages.map((m) => [m.delaySeconds, m.sms.body])).toEqual(expected.map((o) => [o.delaySeconds, o.body]));
    expect(expected.map((o) => o.delaySeconds)).toEqual([0, 2]);
    expect('messages' in preview.opening && preview.opening.messages[0]!.sms.body.startsWith('Hei fra Kundeservice.\n\n')).toBe(true);
    expect('messages' in preview.opening && preview.opening.approximate).toBe(false);
  });

  it('texts are the engine’s (with its fallbacks); the invalid-reply SMS is the prefix and the question again', () => {
    const draft = { ...csat, texts: { ...(csat['texts'] as object), completion: { en: 'Thanks!' } } };
    const parsed = validateSurveyDefinition(draft);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    for (const language of ['en', 'no']) {
      const preview = previewDraft(draft, language);
      expect(preview.texts.map((t) => [t.key, t.sms.body])).toEqual(TEXT_KEYS.map((key) => [key, surveyText(parsed.survey, key, language)]));
    }
    expect(previewDraft(draft, 'en').texts.find((t) => t.key === 'completion')?.sms.body).toBe('Thanks!');
    const preview = previewDraft(csat, 'en');
    const question = preview.elements.find((e) => e.id === 'satisfaction')!.sms!.body;
    const invalid = surveyText(parsedCsat(), 'invalidReply', 'en');
    expect(preview.invalidReply).toEqual({ elementId: 'satisfaction', sms: smsStats(`${invalid}\n\n${question}`) });
  });

  it('an unknown language previews the default one', () => {
    expect(previewDraft(csat, 'sv').language).toBe('en');
  });
});

describe('previewDraft: a draft that is not valid yet', () => {
  it('previews the elements that parse and says why the others do not; the opening is marked approximate', () => {
    const draft = {
      ...newSurvey('draft'),
      elements: [
        { id: 'intro', type: 'text', text: { en: 'Hi 👋' } },
        { id: 'broken', type: 'scale', text: { en: 'Rate us' }, min: 'one' },
        { id: 'nps', type: 'nps', text: { en: 'Would you recommend us?' } },
      ],
    };
    const preview = previewDraft(draft, 'en');
    expect(preview.elements.map((e) => [e.id, e.sms?.encoding ?? e.problem])).toEqual([
      ['intro', 'UCS-2'],
      ['broken', expect.stringMatching(/^min: /)],
      ['nps', 'GSM-7'],
    ]);
    expect('messages' in preview.opening && preview.opening.messages.map((m) => m.sms.body)).toEqual(['Hi 👋', 'Would you recommend us?\nReply with a number from 0 to 10.']);
    expect('messages' in preview.opening && preview.opening.approximate).toBe(true);
  });

  it('without a question there is no opening sequence; garbage does not throw', () => {
    expect(previewDraft(newSurvey('x'), 'en').opening).toEqual({ problem: expect.stringContaining('no element asks for a reply') });
    for (const garbage of [null, 42, 'survey', [], { elements: 'no', languages: [1], texts: [] }]) {
      expect(() => previewDraft(garbage, 'no')).not.toThrow();
    }
    expect(lenientSurvey({ languages: 'none' }).survey).toMatchObject({ defaultLanguage: 'en', languages: ['en'], elements: [] });
    expect(lenientSurvey({ ...csat, name: '', typo: true }).survey.elements).toHaveLength(parsedCsat().elements.length);
  });
});

describe('problems: the server’s "path: message" next to the field it names', () => {
  it('normalises element labels and the whole-survey path', () => {
    expect(parseProblem('elements[2] ("satisfaction").min: must be a number')).toMatchObject({ path: 'elements[2].min', message: 'must be a number' });
    expect(parseProblem('texts.completion: missing text for the default language "en"')).toMatchObject({ path: 'texts.completion' });
    expect(parseProblem('(survey): Invalid input')).toMatchObject({ path: '', message: 'Invalid input' });
    expect(parseProblem('no colon here')).toMatchObject({ path: '', message: 'no colon here' });
    expect(normalizePath('elements[0] ("a").options[1].text.no')).toBe('elements[0].options[1].text.no');
  });

  it('matches the messages the real validation writes to the paths of the form’s fields', () => {
    const result = validateSurveyDefinition({
      ...csat,
      name: '',
      elements: [{ id: 'satisfaction', type: 'scale', text: { en: 'How?' }, min: 5, max: 1 }],
      rules: [],
    });
    expect(result.ok).toBe(false);
    const problems = (result.ok ? [] : result.problems).map(parseProblem);
    expect(problemsAt(problems, 'name')).toHaveLength(1);
    expect(problemsAt(problems, 'elements[0]', { exact: true }).map((p) => p.message)).toEqual(['scale min (5) must be less than max (1)']);
    expect(problemsAt(problems, pathOf(['elements', 0, 'text']))).toEqual([]);
  });
});

describe('draft editing', () => {
  it('setIn copies on the way and removes a key set to undefined; moveAt swaps', () => {
    const draft = { a: { b: 1 }, list: [1, 2, 3] };
    const next = setIn(draft, ['a', 'c', 0, 'd'], 'x');
    expect(next).toEqual({ a: { b: 1, c: [{ d: 'x' }] }, list: [1, 2, 3] });
    expect(draft).toEqual({ a: { b: 1 }, list: [1, 2, 3] });
    expect(setIn(next, ['a', 'b'], undefined)).toEqual({ a: { c: [{ d: 'x' }] }, list: [1, 2, 3] });
    expect(getIn(moveAt(draft, ['list'], 0, 1), ['list'])).toEqual([2, 1, 3]);
    expect(moveAt(draft, ['list'], 0, -1)).toBe(draft);
  });

  it('new elements get free ids; changing type keeps id and text and adds what the type needs', () => {
    expect(newElement('nps', ['q1', 'q3'])).toEqual({ id: 'q4', type: 'nps', text: {} });
    const scale = withType({ id: 'q1', type: 'text', text: { en: 'Rate' } }, 'scale');
    expect(scale).toEqual({ id: 'q1', type: 'scale', text: { en: 'Rate' }, min: 1, max: 5 });
    expect(withType(scale, 'dropdown')).toEqual({ id: 'q1', type: 'dropdown', text: { en: 'Rate' }, options: [{ text: {} }, { text: {} }] });
    expect(withType(scale, 'free-text')).toEqual({ id: 'q1', type: 'free-text', text: { en: 'Rate' } });
  });
});
