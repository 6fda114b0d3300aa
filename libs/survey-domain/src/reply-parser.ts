import { type AnswerValue } from '@sms-survey/contracts';
import { type z } from 'zod';
import { type PhraseSource, normalizeReplyWord, yesNoWords } from './phrases/survey-phrases.js';
import { type SurveyElement, NPS_MAX, NPS_MIN, assertNever } from './survey-definition.js';

/** A stored answer: contracts' `AnswerValue` schema, as a type. */
export type StoredAnswerValue = z.infer<typeof AnswerValue>;

export type ParsedReply = { ok: true; value: StoredAnswerValue } | { ok: false };

const INVALID: ParsedReply = { ok: false };

/**
 * Turns a customer's SMS into the stored answer value: a number for scale/nps, a boolean for yes-no, the
 * 0-based option index for dropdown (the SMS numbers options from 1), sorted unique 0-based indexes for
 * multiple-choice, the trimmed text for free-text. Text elements take no reply, so nothing is valid for them.
 * A yes-no reply is one of the yes or no words of `language` (the survey's own `phrases`, else the catalogue's),
 * or of another language that does not contradict them (`yesNoWords`), ignoring case, accents and punctuation.
 */
export function parseReply(
  element: SurveyElement,
  raw: string,
  language?: string,
  survey?: PhraseSource & { languages?: readonly string[] },
): ParsedReply {
  const reply = raw.trim();
  switch (element.type) {
    case 'text':
      return INVALID;
    case 'scale':
      return numberAnswer(parseIntegerInRange(reply, element.min, element.max));
    case 'nps':
      return numberAnswer(parseIntegerInRange(reply, NPS_MIN, NPS_MAX));
    case 'yes-no': {
      const words = yesNoWords(survey, language, survey?.languages);
      const word = normalizeReplyWord(reply);
      if (words.yes.has(word)) return { ok: true, value: true };
      if (words.no.has(word)) return { ok: true, value: false };
      return INVALID;
    }
    case 'dropdown': {
      const choice = parseIntegerInRange(reply, 1, element.options.length);
      return numberAnswer(choice === undefined ? undefined : choice - 1);
    }
    case 'multiple-choice': {
      const tokens = reply.split(/[\s,;]+/).filter((token) => token !== '');
      if (tokens.length === 0) return INVALID;
      const indexes: number[] = [];
      for (const token of tokens) {
        const choice = parseIntegerInRange(token, 1, element.options.length);
        if (choice === undefined) return INVALID;
        indexes.push(choice - 1);
      }
      return { ok: true, value: [...new Set(indexes)].sort((a, b) => a - b) };
    }
    case 'free-text':
      return reply === '' ? INVALID : { ok: true, value: reply };
    default:
      return assertNever(element);
  }
}

function parseIntegerInRange(reply: string, min: number, max: number): number | undefined {
  if (!/^[+-]?\d{1,9}$/.test(reply)) return undefined;
  const value = Number(reply) || 0; // "|| 0" turns "-0" into 0
  return value >= min && value <= max ? value : undefined;
}

function numberAnswer(value: number | undefined): ParsedReply {
  return value === undefined ? INVALID : { ok: true, value };
}
