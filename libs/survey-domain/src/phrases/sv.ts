import { type Phrases } from './phrase-keys.js';

/** Swedish. */
export const sv: Phrases = {
  scaleInstruction: 'Svara med ett tal från {min} till {max}.',
  scaleLabel: '{value} = {label}',
  yesNoInstruction: 'Svara JA eller NEJ.',
  yesWords: ['ja', 'j', 'jo', 'japp'],
  noWords: ['nej', 'n', 'nä'],
  choiceOption: '{number}) {text}',
  singleChoiceInstruction: 'Svara med numret för ditt val.',
  multipleChoiceInstruction: 'Svara med ett eller flera nummer åtskilda med komma, t.ex. 1,3.',
  completion: 'Tack för dina svar!',
  unavailable: 'Den här enkäten är inte längre tillgänglig. Tack!',
  notFound: 'Tyvärr hittade vi ingen aktiv enkät för det här numret.',
  invalidReply: 'Tyvärr förstod vi inte ditt svar.',
  tooManyInvalid: 'Vi förstod inte dina svar, så vi har avslutat enkäten. Tack för din tid.',
};
