import { describe, expect, it } from 'vitest';
import { type SurveyDefinitionInput, validateSurveyDefinition } from '../src/index.js';
import { loadExample } from './fixtures.js';

const problemsOf = (input: unknown) => {
  const result = validateSurveyDefinition(input);
  return result.ok ? [] : result.problems;
};

/** One question of each kind that needs phrases, in `languages`. */
function survey(languages: string[], extra: Partial<SurveyDefinitionInput> = {}): SurveyDefinitionInput {
  const text = (words: string) => Object.fromEntries(languages.map((language) => [language, `${words} (${language})`]));
  return {
    id: 'tags',
    name: 'Tags',
    defaultLanguage: languages[0]!,
    languages,
    elements: [
      { id: 'rating', type: 'scale', min: 1, max: 5, text: text('Rate'), maxLabel: text('Great') },
      { id: 'yn', type: 'yes-no', text: text('Happy?') },
      { id: 'pick', type: 'dropdown', text: text('Pick'), options: [{ text: text('A') }] },
      { id: 'many', type: 'multiple-choice', text: text('Many'), options: [{ text: text('B') }] },
    ],
    ...extra,
  };
}

/** Every phrase, in Klingon. */
const klingon = {
  scaleInstruction: "{min} {max} mI' yIjang.",
  scaleLabel: '{value} = {label}',
  yesNoInstruction: "HIja' ghap ghobe' yIjang.",
  yesWords: ["HIja'", 'HISlaH'],
  noWords: ["ghobe'"],
  choiceOption: '{number}) {text}',
  singleChoiceInstruction: "wa' mI' yIwIv.",
  multipleChoiceInstruction: "mI'mey yIwIv.",
  completion: 'qatlho’!',
  unavailable: "Qu'vam Qapbe'.",
  notFound: "Qu' tu'lu'be'.",
  invalidReply: "jangmeH mu'lIj yajbe'.",
  tooManyInvalid: "Qu' wIrIn. qatlho'.",
};

describe('example surveys in Swedish and Spanish', () => {
  it.each(['csat-sv.json', 'csat-es.json'])('given %s, when validated, then it is valid', (fileName) => {
    expect(problemsOf(loadExample(fileName))).toEqual([]);
  });
});

describe('languages are BCP 47 tags', () => {
  it('given tags in any case, when saved, then they are stored in canonical case, text keys too', () => {
    const result = validateSurveyDefinition({
      ...survey(['EN-gb']),
      languages: ['EN-gb', 'PT-br'],
      elements: [{ id: 'q', type: 'free-text', text: { 'en-GB': 'Hi', 'pt-br': 'Oi' } }],
    });
    expect(result.ok && result.survey).toMatchObject({
      defaultLanguage: 'en-GB',
      languages: ['en-GB', 'pt-BR'],
      elements: [{ text: { 'en-GB': 'Hi', 'pt-BR': 'Oi' } }],
    });
  });

  it.each(['en_GB', 'english!', 'e', 'x-klingon'])('given the malformed tag %j, then the survey is refused naming it', (tag) => {
    expect(problemsOf({ ...survey(['en']), languages: ['en', tag] })).toContain('languages[1]: must be a BCP 47 language tag such as en, en-GB or pt-BR');
  });

  it('given a malformed default language, then that is the problem', () => {
    expect(problemsOf({ ...survey(['en']), defaultLanguage: 'en_GB' })).toEqual(['defaultLanguage: must be a BCP 47 language tag such as en, en-GB or pt-BR']);
  });

  it('given one language written twice in different case, then it is listed more than once', () => {
    expect(problemsOf({ ...survey(['sv']), languages: ['sv', 'SV'] })).toEqual(['languages[1]: "sv" is listed more than once']);
  });

  it('given a text with one language under two spellings, then that is a problem', () => {
    const input = survey(['en'], { elements: [{ id: 'q', type: 'free-text', text: { en: 'Hi', EN: 'Hello' } }] });
    expect(problemsOf(input)).toEqual(['elements[0] ("q").text.EN: "en" and "EN" are the same language (en)']);
  });

  it.each([['sv'], ['da'], ['fi'], ['de'], ['fr'], ['es'], ['nl'], ['pt'], ['nb'], ['nn'], ['en-GB'], ['pt-BR'], ['es-419'], ['sv-FI']])(
    'given a survey in %s with no texts or phrases of its own, then the catalogue covers it',
    (language) => {
      expect(problemsOf(survey([language]))).toEqual([]);
    },
  );
});

describe('a language without phrases is refused at save time', () => {
  it('given a language the catalogue lacks and no phrases of its own, then every phrase it needs is listed', () => {
    expect(problemsOf(survey(['en', 'tlh']))).toEqual([
      'languages[1]: "tlh" lacks phrases this survey needs: scaleInstruction, scaleLabel, yesNoInstruction, yesWords, noWords, choiceOption, ' +
        'singleChoiceInstruction, multipleChoiceInstruction, completion, unavailable, notFound, invalidReply, tooManyInvalid; ' +
        'give them in phrases.tlh (built-in phrases exist for en, no, sv, da, fi, de, fr, es, nl, pt and their regional variants)',
    ]);
  });

  it('given only the phrases some questions need are missing, then only those are listed', () => {
    const input = survey(['tlh'], {
      elements: [{ id: 'yn', type: 'yes-no', text: { tlh: "bIQuch'a'?" } }],
      texts: { completion: { tlh: "qatlho'!" }, unavailable: { tlh: "Qapbe'." } },
      phrases: { tlh: { notFound: "tu'lu'be'.", invalidReply: "yajbe'.", tooManyInvalid: "wIrIn." } },
    });
    expect(problemsOf(input)).toEqual([
      'languages[0]: "tlh" lacks phrases this survey needs: yesNoInstruction, yesWords, noWords; give them in phrases.tlh ' +
        '(built-in phrases exist for en, no, sv, da, fi, de, fr, es, nl, pt and their regional variants)',
    ]);
  });

  it('given a language the catalogue lacks with every phrase in the survey, then it is accepted', () => {
    expect(problemsOf(survey(['en', 'tlh'], { phrases: { tlh: klingon } }))).toEqual([]);
  });

  it('given a free-text-only survey in a language the catalogue lacks, then only the survey texts are needed', () => {
    const texts = Object.fromEntries(['completion', 'unavailable', 'notFound', 'invalidReply', 'tooManyInvalid'].map((key) => [key, { tlh: 'x' }]));
    const input = { ...survey(['tlh']), elements: [{ id: 'q', type: 'free-text', text: { tlh: 'Qu?' } }], texts };
    expect(problemsOf(input)).toEqual([]);
  });

  it('given the default language is covered, then a text in it does not cover another language', () => {
    const input = survey(['en', 'tlh'], { phrases: { tlh: { ...klingon, completion: undefined } }, texts: { completion: { en: 'Thanks!' } } });
    expect(problemsOf(input)).toEqual([expect.stringMatching(/^languages\[1\]: "tlh" lacks phrases this survey needs: completion; /)]);
  });
});

describe("checks on a survey's own phrases", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a template without its placeholders', { scaleInstruction: 'Svara 1-5.' }, 'phrases.sv.scaleInstruction: must contain {min} and {max}'],
    ['an unknown placeholder', { choiceOption: '{number}) {text} {label}' }, 'phrases.sv.choiceOption: unknown placeholder {label} (it takes {number} and {text})'],
    ['an empty phrase', { invalidReply: '  ' }, 'phrases.sv.invalidReply: text is empty'],
    ['a word of punctuation only', { yesWords: ['ja', '!!'] }, 'phrases.sv.yesWords[1]: a word must have a letter or digit'],
    ['a word both yes and no', { noWords: ['nej', 'JA'] }, 'phrases.sv: "ja" would mean both yes and no (yesWords and noWords)'],
    ['a misspelt phrase name', { yesNoInstuction: 'Svara ja.' }, 'phrases.sv: Unrecognized key: "yesNoInstuction"'],
    ['an empty word list', { yesWords: [] }, 'phrases.sv.yesWords: Too small: expected array to have >=1 items'],
  ])('given %s, then the survey is refused naming it', (_case, overrides, expected) => {
    expect(problemsOf(survey(['sv'], { phrases: { sv: overrides } }))).toEqual([expected]);
  });

  it('given a phrase for a language that is not listed, then that is a problem', () => {
    expect(problemsOf(survey(['sv'], { phrases: { de: { completion: 'Danke!' } } }))).toEqual(['phrases.de: language "de" is not listed in languages']);
  });

  it('given a survey text both in texts and in phrases, then it must be given in one place', () => {
    const input = survey(['sv'], { texts: { completion: { sv: 'Tack!' } }, phrases: { sv: { completion: 'Tack så mycket!' } } });
    expect(problemsOf(input)).toEqual(['phrases.sv.completion: also given in texts.completion.sv; give it in one place']);
  });

  it('given phrases keyed in another case, then they are stored under the canonical tag', () => {
    const result = validateSurveyDefinition(survey(['pt-BR'], { phrases: { 'PT-br': { completion: 'Valeu!' } } }));
    expect(result.ok && result.survey.phrases).toEqual({ 'pt-BR': { completion: 'Valeu!' } });
  });
});
