import {
  type ChoiceOption,
  type Language,
  type LocalizedText,
  type SurveyDefinition,
  type SurveyElement,
  type TextKey,
  NPS_MAX,
  NPS_MIN,
  SUPPORTED_LANGUAGES,
  assertNever,
} from './survey-definition.js';

interface InstructionPhrases {
  numberInRange: (min: number, max: number) => string;
  yesNo: string;
  oneOption: string;
  oneOrMoreOptions: string;
}

const INSTRUCTIONS: Record<Language, InstructionPhrases> = {
  en: {
    numberInRange: (min, max) => `Reply with a number from ${min} to ${max}.`,
    yesNo: 'Reply YES or NO.',
    oneOption: 'Reply with the number of your choice.',
    oneOrMoreOptions: 'Reply with one or more numbers separated by commas, e.g. 1,3.',
  },
  no: {
    numberInRange: (min, max) => `Svar med et tall fra ${min} til ${max}.`,
    yesNo: 'Svar JA eller NEI.',
    oneOption: 'Svar med tallet for ditt valg.',
    oneOrMoreOptions: 'Svar med ett eller flere tall skilt med komma, f.eks. 1,3.',
  },
};

/** Norwegian written standards and their three-letter codes all map to the survey language 'no'. */
const LANGUAGE_ALIASES: Record<string, Language> = { nb: 'no', nn: 'no', nob: 'no', nno: 'no', nor: 'no', eng: 'en' };

/** Maps e.g. 'EN', 'en-GB' or 'nb' to a supported code, or undefined. */
export function normalizeLanguage(requested: string | undefined): Language | undefined {
  const primary = requested?.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  const code = LANGUAGE_ALIASES[primary] ?? primary;
  return (SUPPORTED_LANGUAGES as readonly string[]).includes(code) ? (code as Language) : undefined;
}

/** The requested language when the survey offers it, else the survey's default language. */
export function resolveLanguage(survey: SurveyDefinition, requested?: string): Language {
  const language = normalizeLanguage(requested);
  return language && survey.languages.includes(language) ? language : survey.defaultLanguage;
}

/** The text in `language`, falling back to the survey's default language. */
export function localize(text: LocalizedText, language: string, survey: SurveyDefinition): string {
  return localizeWithLanguage(text, resolveLanguage(survey, language), survey).text;
}

function localizeWithLanguage(
  text: LocalizedText,
  language: Language,
  survey: SurveyDefinition,
): { text: string; language: Language } {
  const inLanguage = text[language];
  if (inLanguage?.trim()) return { text: inLanguage, language };
  return { text: text[survey.defaultLanguage] ?? '', language: survey.defaultLanguage };
}

/** One of the survey's own texts (completion, unavailable, …) in `language`. */
export function surveyText(survey: SurveyDefinition, key: TextKey, language: string): string {
  return localize(survey.texts[key], language, survey);
}

/** The SMS body for one element: its text, then numbered options or labels, then how to reply. */
export function renderElement(element: SurveyElement, language: string, survey: SurveyDefinition): string {
  const heading = localizeWithLanguage(element.text, resolveLanguage(survey, language), survey);
  // Instructions follow the language the element's text was found in, so one SMS does not mix languages.
  const instructions = INSTRUCTIONS[heading.language];
  const local = (text: LocalizedText) => localizeWithLanguage(text, heading.language, survey).text;
  const numberedOptions = (options: ChoiceOption[]) => options.map((option, index) => `${index + 1}) ${local(option.text)}`);

  switch (element.type) {
    case 'text':
    case 'free-text':
      return heading.text;
    case 'scale': {
      const labels = [
        element.minLabel ? `${element.min} = ${local(element.minLabel)}` : undefined,
        element.maxLabel ? `${element.max} = ${local(element.maxLabel)}` : undefined,
      ].filter((line) => line !== undefined);
      return [heading.text, ...labels, instructions.numberInRange(element.min, element.max)].join('\n');
    }
    case 'nps':
      return [heading.text, instructions.numberInRange(NPS_MIN, NPS_MAX)].join('\n');
    case 'yes-no':
      return [heading.text, instructions.yesNo].join('\n');
    case 'dropdown':
      return [heading.text, ...numberedOptions(element.options), instructions.oneOption].join('\n');
    case 'multiple-choice':
      return [heading.text, ...numberedOptions(element.options), instructions.oneOrMoreOptions].join('\n');
    default:
      return assertNever(element);
  }
}

/** The value reports show for an option: its `value`, else its text in the survey's default language. */
export function optionReportingValue(option: ChoiceOption, survey: SurveyDefinition): string {
  return option.value ?? option.text[survey.defaultLanguage] ?? '';
}
