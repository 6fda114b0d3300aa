import { describe, expect, it } from 'vitest';
import { type SurveyElement, parseReply } from '../src/index.js';

const text = { en: 'Question' };
const elements = {
  text: { id: 'info', type: 'text', text },
  scale: { id: 'scale', type: 'scale', min: 1, max: 5, text },
  negativeScale: { id: 'neg', type: 'scale', min: -2, max: 2, text },
  nps: { id: 'nps', type: 'nps', text },
  yesNo: { id: 'yn', type: 'yes-no', text },
  dropdown: { id: 'dd', type: 'dropdown', text, options: [{ text: { en: 'A' } }, { text: { en: 'B' } }, { text: { en: 'C' } }] },
  multipleChoice: {
    id: 'mc',
    type: 'multiple-choice',
    text,
    options: [{ text: { en: 'A' } }, { text: { en: 'B' } }, { text: { en: 'C' } }, { text: { en: 'D' } }],
  },
  freeText: { id: 'ft', type: 'free-text', text },
} satisfies Record<string, SurveyElement>;

describe('parseReply accepts valid replies and stores the normalised value', () => {
  it.each([
    ['scale', elements.scale, '3', 3],
    ['scale, surrounded by spaces', elements.scale, '  5 ', 5],
    ['scale, lowest value', elements.scale, '1', 1],
    ['scale, leading zero', elements.scale, '04', 4],
    ['scale below zero', elements.negativeScale, '-2', -2],
    ['scale, minus zero', elements.negativeScale, '-0', 0],
    ['nps, 0', elements.nps, '0', 0],
    ['nps, 10', elements.nps, '10', 10],
    ['nps, 7 with spaces', elements.nps, ' 7 ', 7],
    ['yes-no, YES', elements.yesNo, 'YES', true],
    ['yes-no, y', elements.yesNo, 'y', true],
    ['yes-no, Ja', elements.yesNo, 'Ja', true],
    ['yes-no, j', elements.yesNo, 'j', true],
    ['yes-no, true', elements.yesNo, 'true', true],
    ['yes-no, "Yes!"', elements.yesNo, 'Yes!', true],
    ['yes-no, no', elements.yesNo, 'no', false],
    ['yes-no, N', elements.yesNo, 'N', false],
    ['yes-no, NEI', elements.yesNo, ' NEI ', false],
    ['yes-no, false', elements.yesNo, 'false', false],
    ['dropdown, first option is stored as 0', elements.dropdown, '1', 0],
    ['dropdown, last option', elements.dropdown, '3', 2],
    ['multiple-choice, one number', elements.multipleChoice, '2', [1]],
    ['multiple-choice, comma', elements.multipleChoice, '1,3', [0, 2]],
    ['multiple-choice, comma and space', elements.multipleChoice, '1, 3', [0, 2]],
    ['multiple-choice, space', elements.multipleChoice, '1 3', [0, 2]],
    ['multiple-choice, sorted and unique', elements.multipleChoice, '4,1,4', [0, 3]],
    ['free-text, trimmed', elements.freeText, '  The queue was long.  ', 'The queue was long.'],
    ['free-text, a number is text too', elements.freeText, '42', '42'],
  ])('%s', (_case, element, raw, value) => {
    expect(parseReply(element, raw, 'en')).toEqual({ ok: true, value });
  });
});

describe('parseReply rejects invalid replies', () => {
  it.each([
    ['scale, decimal', elements.scale, '3.5'],
    ['scale, word', elements.scale, 'three'],
    ['scale, above max', elements.scale, '6'],
    ['scale, below min', elements.scale, '0'],
    ['scale, empty', elements.scale, '   '],
    ['scale, number and text', elements.scale, '3 stars'],
    ['nps, 7.5', elements.nps, '7.5'],
    ['nps, seven', elements.nps, 'seven'],
    ['nps, 11', elements.nps, '11'],
    ['nps, -1', elements.nps, '-1'],
    ['yes-no, maybe', elements.yesNo, 'maybe'],
    ['yes-no, a number', elements.yesNo, '1'],
    ['yes-no, empty', elements.yesNo, ''],
    ['dropdown, 0', elements.dropdown, '0'],
    ['dropdown, past the last option', elements.dropdown, '4'],
    ['dropdown, two choices', elements.dropdown, '1,2'],
    ['dropdown, option text', elements.dropdown, 'A'],
    ['multiple-choice, one out of range', elements.multipleChoice, '1,5'],
    ['multiple-choice, 0', elements.multipleChoice, '0'],
    ['multiple-choice, words', elements.multipleChoice, 'A and B'],
    ['multiple-choice, only commas', elements.multipleChoice, ', ,'],
    ['free-text, blank', elements.freeText, ' \n '],
    ['text element takes no reply', elements.text, 'hello'],
  ])('%s', (_case, element, raw) => {
    expect(parseReply(element, raw, 'en')).toEqual({ ok: false });
  });
});

describe('parseReply language', () => {
  it.each(['en', 'no'])('accepts yes/no words of both languages when the session language is %s', (language) => {
    expect(parseReply(elements.yesNo, 'ja', language)).toEqual({ ok: true, value: true });
    expect(parseReply(elements.yesNo, 'no', language)).toEqual({ ok: true, value: false });
    expect(parseReply(elements.yesNo, 'nei', language)).toEqual({ ok: true, value: false });
    expect(parseReply(elements.yesNo, 'yes', language)).toEqual({ ok: true, value: true });
  });
});
