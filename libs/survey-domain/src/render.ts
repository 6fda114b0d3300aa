import { languageFallbacks, matchLanguage } from './language.js';
import { type PhraseKey, type Phrases, fillTemplate } from './phrases/phrase-keys.js';
import { phrase } from './phrases/survey-phrases.js';
import {
  type ChoiceOption,
  type Language,
  type LocalizedText,
  type SurveyDefinition,
  type SurveyElement,
  type TextKey,
  NPS_MAX,
  NPS_MIN,
  assertNever,
} from './survey-definition.js';

/**
 * The survey language for a requested one (a BCP 47 tag in any case; `en_GB` read as `en-GB`): the first of its
 * fallbacks the survey lists (`en-GB` → `en`, `nb` → `no`, `pt-BR` → `pt`), else a listed language of the same
 * primary language (`pt-PT` → `pt-BR`), else the survey's default language.
 */
export function resolveLanguage(survey: SurveyDefinition, requested?: string): Language {
  return matchLanguage(survey.languages, requested) ?? survey.defaultLanguage;
}

/** The text in `language`, falling back along the language's fallbacks, then to the survey's default language. */
export function localize(text: LocalizedText, language: string, survey: SurveyDefinition): string {
  return localizeWithLanguage(text, resolveLanguage(survey, language), survey).text;
}

/** The text, and the language whose phrases go with it: `language` when found along its fallbacks, else the default. */
function localizeWithLanguage(
  text: LocalizedText,
  language: Language,
  survey: SurveyDefinition,
): { text: string; language: Language } {
  for (const tag of languageFallbacks(language)) {
    const inLanguage = text[tag];
    if (inLanguage?.trim()) return { text: inLanguage, language };
  }
  return { text: text[survey.defaultLanguage] ?? '', language: survey.defaultLanguage };
}

/** One of the survey texts (completion, unavailable, …) in `language`: the survey's own, else the phrase of that name. */
export function surveyText(survey: SurveyDefinition, key: TextKey, language: string): string {
  return phrase(survey, resolveLanguage(survey, language), key);
}

/** One of the engine's phrases in `language` (one of the survey's, or resolved to one): the survey's own, else the catalogue's. */
export function surveyPhrase<K extends PhraseKey>(survey: SurveyDefinition, key: K, language: string): Phrases[K] {
  return phrase(survey, resolveLanguage(survey, language), key);
}

/** The SMS body for one element: its text, then numbered options or labels, then how to reply. */
export function renderElement(element: SurveyElement, language: string, survey: SurveyDefinition): string {
  const heading = localizeWithLanguage(element.text, resolveLanguage(survey, language), survey);
  // Phrases follow the language the element's text was found in, so one SMS does not mix languages.
  const words = <K extends PhraseKey>(key: K) => phrase(survey, heading.language, key);
  const local = (text: LocalizedText) => localizeWithLanguage(text, heading.language, survey).text;
  const numberedOptions = (options: ChoiceOption[]) =>
    options.map((option, index) => fillTemplate(words('choiceOption'), { number: index + 1, text: local(option.text) }));

  switch (element.type) {
    case 'text':
    case 'free-text':
      return heading.text;
    case 'scale': {
      const labels = [
        element.minLabel ? fillTemplate(words('scaleLabel'), { value: element.min, label: local(element.minLabel) }) : undefined,
        element.maxLabel ? fillTemplate(words('scaleLabel'), { value: element.max, label: local(element.maxLabel) }) : undefined,
      ].filter((line) => line !== undefined);
      return [heading.text, ...labels, fillTemplate(words('scaleInstruction'), { min: element.min, max: element.max })].join('\n');
    }
    case 'nps':
      return [heading.text, fillTemplate(words('scaleInstruction'), { min: NPS_MIN, max: NPS_MAX })].join('\n');
    case 'yes-no':
      return [heading.text, words('yesNoInstruction')].join('\n');
    case 'dropdown':
      return [heading.text, ...numberedOptions(element.options), words('singleChoiceInstruction')].join('\n');
    case 'multiple-choice':
      return [heading.text, ...numberedOptions(element.options), words('multipleChoiceInstruction')].join('\n');
    default:
      return assertNever(element);
  }
}

/** The value reports show for an option: its `value`, else its text in the survey's default language. */
export function optionReportingValue(option: ChoiceOption, survey: SurveyDefinition): string {
  return option.value ?? option.text[survey.defaultLanguage] ?? '';
}
