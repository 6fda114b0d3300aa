import { type Phrases } from './phrase-keys.js';

/** German (formal "Sie"). */
export const de: Phrases = {
  scaleInstruction: 'Antworten Sie mit einer Zahl von {min} bis {max}.',
  scaleLabel: '{value} = {label}',
  yesNoInstruction: 'Antworten Sie mit JA oder NEIN.',
  yesWords: ['ja', 'j'],
  noWords: ['nein', 'n'],
  choiceOption: '{number}) {text}',
  singleChoiceInstruction: 'Antworten Sie mit der Nummer Ihrer Wahl.',
  multipleChoiceInstruction: 'Antworten Sie mit einer oder mehreren Nummern, getrennt durch Kommas, z. B. 1,3.',
  completion: 'Vielen Dank für Ihr Feedback!',
  unavailable: 'Diese Umfrage ist nicht mehr verfügbar. Vielen Dank!',
  notFound: 'Leider haben wir keine aktive Umfrage für diese Nummer gefunden.',
  invalidReply: 'Leider haben wir Ihre Antwort nicht verstanden.',
  tooManyInvalid: 'Wir haben Ihre Antworten nicht verstanden und die Umfrage daher beendet. Vielen Dank für Ihre Zeit.',
};
