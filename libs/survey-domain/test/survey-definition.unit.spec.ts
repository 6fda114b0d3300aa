import { describe, expect, it } from 'vitest';
import { type SurveyDefinitionInput, validateSurveyDefinition } from '../src/index.js';
import {
  englishSurvey,
  everyTypeSurvey,
  loadExample,
  manyFaultsSurvey,
  parseValid,
  shapeAndMeaningFaultsSurvey,
} from './fixtures.js';

function problemsOf(input: unknown): string[] {
  const result = validateSurveyDefinition(input);
  return result.ok ? [] : result.problems;
}

/** everyTypeSurvey with `change` applied; element indexes: 0 welcome, 1 rating, 2 nps, 3 yesno, 4 channel, 5 topics, 6 between, 7 comment. */
function everyTypeWith(change: (survey: SurveyDefinitionInput) => void): SurveyDefinitionInput {
  const survey = everyTypeSurvey();
  change(survey);
  return survey;
}

describe('example surveys', () => {
  it.each(['csat-en-no.json', 'nps.json'])('%s is valid', (fileName) => {
    expect(problemsOf(loadExample(fileName))).toEqual([]);
    expect(validateSurveyDefinition(loadExample(fileName)).ok).toBe(true);
  });
});

describe('validateSurveyDefinition: valid definitions', () => {
  it('fills in rules and settings when they are left out', () => {
    const survey = parseValid(englishSurvey());
    expect(survey.rules).toEqual([]);
    expect(survey.settings).toEqual({ maxInvalidReplies: 3 });
  });

  it.each<[string, (survey: SurveyDefinitionInput) => void]>([
    ['a goTo back to an earlier question (asks again)', (s) => {
      s.rules = [{ elementId: 'comment', when: { op: 'any' }, then: { goTo: 'rating' } }];
    }],
    ['a goTo to a text element followed by a question', (s) => {
      s.rules = [{ elementId: 'rating', when: { op: 'lt', value: 3 }, then: { goTo: 'between' } }];
    }],
    ['a goTo back to the first text element', (s) => {
      s.rules = [{ elementId: 'comment', when: { op: 'equals', value: 1 }, then: { goTo: 'welcome' } }];
      s.elements[7] = { id: 'comment', type: 'dropdown', text: { en: 'Again?' }, options: [{ text: { en: 'No' } }, { text: { en: 'Yes' } }] };
    }],
    ['every operator where it fits', (s) => {
      s.rules = [
        { elementId: 'rating', when: { op: 'range', min: 1, max: 2 }, then: { end: true } },
        { elementId: 'nps', when: { op: 'gte', value: 9 }, then: { goTo: 'comment' } },
        { elementId: 'nps', when: { op: 'one-of', values: [0, 1] }, then: { end: true } },
        { elementId: 'yesno', when: { op: 'equals', value: false }, then: { end: true } },
        { elementId: 'channel', when: { op: 'one-of', values: [0, 1] }, then: { goTo: 'topics' } },
        { elementId: 'topics', when: { op: 'equals', value: 2 }, then: { goTo: 'comment' } },
        { elementId: 'comment', when: { op: 'any' }, then: { end: true } },
      ];
    }],
    ['a language listed but missing in a text (falls back to the default)', (s) => {
      s.elements[3] = { id: 'yesno', type: 'yes-no', text: { en: 'Happy?' } };
    }],
    ['maxInvalidReplies of 1', (s) => {
      s.settings = { maxInvalidReplies: 1 };
    }],
    ['a survey text without the default language (the phrase fills in)', (s) => {
      s.texts = { ...s.texts, invalidReply: { no: 'Ugyldig svar' } };
    }],
    ['no survey texts at all (the catalogue phrases fill in)', (s) => {
      delete s.texts;
    }],
  ])('accepts %s', (_case, change) => {
    expect(problemsOf(everyTypeWith(change))).toEqual([]);
  });
});

describe('validateSurveyDefinition: one fault each', () => {
  it.each<[string, SurveyDefinitionInput, string]>([
    [
      'no element needing input',
      englishSurvey([{ id: 'only-text', type: 'text', text: { en: 'Hello' } }]),
      'elements: the survey has no element that asks for a reply',
    ],
    [
      'no elements at all',
      englishSurvey([]),
      'elements: the survey has no element that asks for a reply',
    ],
    [
      'duplicate element id',
      englishSurvey([{ id: 'q', type: 'yes-no', text: { en: 'A?' } }, { id: 'q', type: 'nps', text: { en: 'B?' } }]),
      'elements[1] ("q"): duplicate element id "q" (first used by elements[0])',
    ],
    [
      'default language not listed',
      { ...englishSurvey(), languages: ['no'] },
      'defaultLanguage: "en" is not listed in languages',
    ],
    [
      'language listed twice',
      { ...englishSurvey(), languages: ['en', 'en'] },
      'languages[1]: "en" is listed more than once',
    ],
    [
      'element text missing the default language',
      everyTypeWith((s) => { s.elements[3] = { id: 'yesno', type: 'yes-no', text: { no: 'Fornøyd?' } }; }),
      'elements[3] ("yesno").text: missing text for the default language "en"',
    ],
    [
      'element text blank in the default language',
      everyTypeWith((s) => { s.elements[3] = { id: 'yesno', type: 'yes-no', text: { en: ' ', no: 'Fornøyd?' } }; }),
      'elements[3] ("yesno").text: missing text for the default language "en"',
    ],
    [
      'empty text in another language',
      everyTypeWith((s) => { s.elements[3] = { id: 'yesno', type: 'yes-no', text: { en: 'Happy?', no: '' } }; }),
      'elements[3] ("yesno").text.no: text is empty',
    ],
    [
      'option text missing the default language',
      everyTypeWith((s) => {
        s.elements[4] = { id: 'channel', type: 'dropdown', text: { en: 'Channel?' }, options: [{ text: { en: 'Phone' } }, { text: { no: 'Chat' } }] };
      }),
      'elements[4] ("channel").options[1].text: missing text for the default language "en"',
    ],
    [
      'scale label missing the default language',
      everyTypeWith((s) => { s.elements[1] = { id: 'rating', type: 'scale', min: 1, max: 5, text: { en: 'Rate' }, maxLabel: { no: 'Bra' } }; }),
      'elements[1] ("rating").maxLabel: missing text for the default language "en"',
    ],
    [
      'survey text blank in the default language',
      everyTypeWith((s) => { s.texts = { ...s.texts, invalidReply: { en: ' ' } }; }),
      'texts.invalidReply.en: text is empty',
    ],
    [
      'text in a language that is not listed',
      { ...englishSurvey([{ id: 'q', type: 'yes-no', text: { en: 'Happy?', no: 'Fornøyd?' } }]) },
      'elements[0] ("q").text.no: language "no" is not listed in languages',
    ],
    [
      'dropdown without options',
      everyTypeWith((s) => { s.elements[4] = { id: 'channel', type: 'dropdown', text: { en: 'Channel?' }, options: [] }; }),
      'elements[4] ("channel").options: a dropdown element needs at least one option',
    ],
    [
      'multiple-choice without options',
      everyTypeWith((s) => { s.elements[5] = { id: 'topics', type: 'multiple-choice', text: { en: 'Topics?' }, options: [] }; }),
      'elements[5] ("topics").options: a multiple-choice element needs at least one option',
    ],
    [
      'scale with min equal to max',
      everyTypeWith((s) => { s.elements[1] = { id: 'rating', type: 'scale', min: 3, max: 3, text: { en: 'Rate' } }; }),
      'elements[1] ("rating"): scale min (3) must be less than max (3)',
    ],
    [
      'rule on a missing element',
      everyTypeWith((s) => { s.rules = [{ elementId: 'ghost', when: { op: 'any' }, then: { end: true } }]; }),
      'rules[0].elementId: no element has the id "ghost"',
    ],
    [
      'rule going to a missing element',
      everyTypeWith((s) => { s.rules = [{ elementId: 'rating', when: { op: 'any' }, then: { goTo: 'ghost' } }]; }),
      'rules[0].then.goTo: no element has the id "ghost"',
    ],
    [
      'rule on a text element',
      everyTypeWith((s) => { s.rules = [{ elementId: 'between', when: { op: 'any' }, then: { end: true } }]; }),
      'rules[0].elementId: "between" is a text element, which takes no reply, so it cannot have rules',
    ],
    [
      'unknown property (typo) in an element',
      everyTypeWith((s) => { s.elements[2] = { id: 'nps', type: 'nps', text: { en: 'Recommend?' }, mni: 0 } as never; }),
      'elements[2] ("nps"): Unrecognized key: "mni"',
    ],
    [
      'maxInvalidReplies of 0',
      everyTypeWith((s) => { s.settings = { maxInvalidReplies: 0 }; }),
      'settings.maxInvalidReplies: Too small: expected number to be >=1',
    ],
  ])('%s', (_case, input, expected) => {
    expect(problemsOf(input)).toEqual([expected]);
  });
});

describe('validateSurveyDefinition: conditions that do not fit the element', () => {
  it.each<[string, string, Record<string, unknown>, string]>([
    ['lt on yes-no', 'yesno', { op: 'lt', value: 1 }, 'rules[0].when: "lt" does not apply to yes-no element "yesno"'],
    ['range on yes-no', 'yesno', { op: 'range', min: 0, max: 1 }, 'rules[0].when: "range" does not apply to yes-no element "yesno"'],
    ['a number compared with yes-no', 'yesno', { op: 'equals', value: 1 }, 'rules[0].when.value: 1 is not true or false; yes-no answers are stored as booleans'],
    ['gt on dropdown', 'channel', { op: 'gt', value: 0 }, 'rules[0].when: "gt" does not apply to dropdown element "channel"'],
    ['a dropdown index past the last option', 'channel', { op: 'equals', value: 2 }, 'rules[0].when.value: 2 is not an option index of "channel" (0 to 1, counting from 0)'],
    ['a boolean compared with a dropdown', 'channel', { op: 'equals', value: true }, 'rules[0].when.value: true is not an option index of "channel" (0 to 1, counting from 0)'],
    ['a multiple-choice index past the last option', 'topics', { op: 'one-of', values: [0, 3] }, 'rules[0].when.values: 3 is not an option index of "topics" (0 to 2, counting from 0)'],
    ['lte on multiple-choice', 'topics', { op: 'lte', value: 1 }, 'rules[0].when: "lte" does not apply to multiple-choice element "topics"'],
    ['equals on free-text', 'comment', { op: 'equals', value: 1 }, 'rules[0].when: "equals" does not apply to free-text element "comment"'],
    ['an NPS value above 10', 'nps', { op: 'equals', value: 11 }, 'rules[0].when.value: 11 is not a whole number from 0 to 10, so it never matches'],
    ['a fraction on a scale', 'rating', { op: 'one-of', values: [2.5] }, 'rules[0].when.values: 2.5 is not a whole number from 1 to 5, so it never matches'],
    ['a boolean on a scale', 'rating', { op: 'equals', value: false }, 'rules[0].when.value: false is not a whole number from 1 to 5, so it never matches'],
    ['a range with min above max', 'rating', { op: 'range', min: 4, max: 2 }, 'rules[0].when: range min (4) must not be greater than max (2)'],
  ])('%s', (_case, elementId, when, expected) => {
    const input = everyTypeWith((s) => { s.rules = [{ elementId, when, then: { end: true } } as never]; });
    expect(problemsOf(input)).toEqual([expected]);
  });
});

describe('validateSurveyDefinition: several faults at once', () => {
  it('reports every problem of a definition, each naming where it is', () => {
    const problems = problemsOf(manyFaultsSurvey);
    expect(problems).toHaveLength(10);
    expect(problems).toEqual([
      'elements[5] ("yesno"): duplicate element id "yesno" (first used by elements[3])',
      'elements[0] ("intro").text.de: language "de" is not listed in languages',
      'elements[2] ("score").text: missing text for the default language "en"',
      'elements[2] ("score"): scale min (5) must be less than max (1)',
      'elements[4] ("pick").options: a dropdown element needs at least one option',
      'rules[0].elementId: "later" is a text element, which takes no reply, so it cannot have rules',
      'rules[1].when: "lt" does not apply to yes-no element "yesno"',
      'rules[1].then.goTo: no element has the id "missing"',
      'rules[0].then.goTo: "intro" leads back to itself through text elements only (intro → later → intro), so nothing is ever asked',
      'phrases.de: language "de" is not listed in languages',
    ]);
  });

  it('reports shape errors together with meaning errors in the parts that parse', () => {
    const problems = problemsOf(shapeAndMeaningFaultsSurvey);
    expect(problems).toHaveLength(5);
    expect(problems[0]).toBe('id: may contain only letters, digits, "_" and "-"');
    expect(problems[1]).toMatch(/^elements\[0\] \("q1"\)\.type: Invalid discriminator value/);
    expect(problems.slice(2)).toEqual([
      'texts.notFound: Invalid input: expected record, received number',
      'rules[0].when.value: true is not a whole number from 0 to 10, so it never matches',
      'rules[0].then.goTo: no element has the id "nowhere"',
    ]);
  });

  it.each([
    [42, ['(survey): Invalid input: expected object, received number']],
    [null, ['(survey): Invalid input: expected object, received null']],
  ])('rejects %s as a whole', (input, expected) => {
    expect(problemsOf(input)).toEqual(expected);
  });

  it('reports each missing top-level field once, without follow-on problems', () => {
    expect(problemsOf({})).toEqual([
      'id: Invalid input: expected string, received undefined',
      'name: Invalid input: expected string, received undefined',
      'defaultLanguage: Invalid input: expected string, received undefined',
      'languages: Invalid input: expected array, received undefined',
      'elements: Invalid input: expected array, received undefined',
    ]);
  });
});
