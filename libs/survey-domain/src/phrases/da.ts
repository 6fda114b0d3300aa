import { type Phrases } from './phrase-keys.js';

/** Danish. */
export const da: Phrases = {
  scaleInstruction: 'Svar med et tal fra {min} til {max}.',
  scaleLabel: '{value} = {label}',
  yesNoInstruction: 'Svar JA eller NEJ.',
  yesWords: ['ja', 'j', 'jo', 'jep'],
  noWords: ['nej', 'n'],
  choiceOption: '{number}) {text}',
  singleChoiceInstruction: 'Svar med nummeret på dit valg.',
  multipleChoiceInstruction: 'Svar med et eller flere numre adskilt med komma, f.eks. 1,3.',
  completion: 'Tak for dine svar!',
  unavailable: 'Denne undersøgelse er ikke længere tilgængelig. Tak!',
  notFound: 'Beklager, vi kunne ikke finde en aktiv undersøgelse for dette nummer.',
  invalidReply: 'Beklager, vi forstod ikke dit svar.',
  tooManyInvalid: 'Vi forstod ikke dine svar, så vi har afsluttet undersøgelsen. Tak for din tid.',
};
