import { describe, expect, it } from 'vitest';
import { type SurveyDefinition, optionReportingValue, renderElement, resolveLanguage } from '../src/index.js';
import { englishSurvey, everyTypeSurvey, parseValid } from './fixtures.js';

function surveyWithLabels(): SurveyDefinition {
  const input = everyTypeSurvey();
  input.elements[1] = {
    id: 'rating',
    type: 'scale',
    min: 1,
    max: 5,
    text: { en: 'Rate us', no: 'Gi oss en karakter' },
    minLabel: { en: 'Bad', no: 'Dårlig' },
    maxLabel: { en: 'Great', no: 'Flott' },
  };
  return parseValid(input);
}

function element(survey: SurveyDefinition, id: string) {
  const found = survey.elements.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no element ${id}`);
  return found;
}

describe('renderElement', () => {
  const survey = surveyWithLabels();

  it.each([
    ['welcome', 'en', 'Welcome!'],
    ['welcome', 'no', 'Velkommen!'],
    ['rating', 'en', 'Rate us\n1 = Bad\n5 = Great\nReply with a number from 1 to 5.'],
    ['rating', 'no', 'Gi oss en karakter\n1 = Dårlig\n5 = Flott\nSvar med et tall fra 1 til 5.'],
    ['nps', 'en', 'Recommend us?\nReply with a number from 0 to 10.'],
    ['nps', 'no', 'Anbefale oss?\nSvar med et tall fra 0 til 10.'],
    ['yesno', 'en', 'Happy?\nReply YES or NO.'],
    ['yesno', 'no', 'Fornøyd?\nSvar JA eller NEI.'],
    ['channel', 'en', 'Channel?\n1) Phone\n2) Chat\nReply with the number of your choice.'],
    ['channel', 'no', 'Kanal?\n1) Telefon\n2) Chat\nSvar med tallet for ditt valg.'],
    ['topics', 'en', 'Topics?\n1) Price\n2) Speed\n3) Staff\nReply with one or more numbers separated by commas, e.g. 1,3.'],
    ['topics', 'no', 'Temaer?\n1) Pris\n2) Fart\n3) Ansatte\nSvar med ett eller flere tall skilt med komma, f.eks. 1,3.'],
    ['comment', 'en', 'Anything else?'],
    ['comment', 'no', 'Noe mer?'],
  ])('%s in %s', (id, language, expected) => {
    expect(renderElement(element(survey, id), language, survey)).toBe(expected);
  });

  it('states the range of a scale without labels', () => {
    const plain = parseValid(everyTypeSurvey());
    expect(renderElement(element(plain, 'rating'), 'en', plain)).toBe('Rate us\nReply with a number from 1 to 5.');
  });

  it('renders in the default language when the requested one is not offered', () => {
    expect(renderElement(element(survey, 'yesno'), 'de', survey)).toBe('Happy?\nReply YES or NO.');
  });

  it('falls back to the default language, instructions included, when an element lacks the language', () => {
    const input = everyTypeSurvey();
    input.elements[3] = { id: 'yesno', type: 'yes-no', text: { en: 'Happy?' } };
    const partial = parseValid(input);
    expect(renderElement(element(partial, 'yesno'), 'no', partial)).toBe('Happy?\nReply YES or NO.');
  });
});

describe('resolveLanguage', () => {
  const bilingual = parseValid(everyTypeSurvey());
  const englishOnly = parseValid(englishSurvey());

  it.each([
    [bilingual, 'no', 'no'],
    [bilingual, 'NO', 'no'],
    [bilingual, 'nb', 'no'],
    [bilingual, 'nb-NO', 'no'],
    [bilingual, 'en-GB', 'en'],
    [bilingual, undefined, 'en'],
    [bilingual, 'de', 'en'],
    [bilingual, '', 'en'],
    [englishOnly, 'no', 'en'],
  ])('%#: requested %s → %s', (survey, requested, expected) => {
    expect(resolveLanguage(survey, requested)).toBe(expected);
  });
});

describe('optionReportingValue', () => {
  it('uses the value when given, else the default-language text', () => {
    const survey = parseValid(everyTypeSurvey());
    expect(optionReportingValue({ text: { en: 'Phone', no: 'Telefon' }, value: 'phone' }, survey)).toBe('phone');
    expect(optionReportingValue({ text: { en: 'Phone', no: 'Telefon' } }, survey)).toBe('Phone');
  });
});
