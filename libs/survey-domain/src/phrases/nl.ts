import { type Phrases } from './phrase-keys.js';

/** Dutch (formal "u"; "vragenlijst", not "enquête", keeps it within GSM-7). */
export const nl: Phrases = {
  scaleInstruction: 'Antwoord met een getal van {min} tot en met {max}.',
  scaleLabel: '{value} = {label}',
  yesNoInstruction: 'Antwoord JA of NEE.',
  yesWords: ['ja', 'j'],
  noWords: ['nee', 'n', 'neen'],
  choiceOption: '{number}) {text}',
  singleChoiceInstruction: 'Antwoord met het nummer van uw keuze.',
  multipleChoiceInstruction: "Antwoord met een of meer nummers, gescheiden door komma's, bijv. 1,3.",
  completion: 'Bedankt voor uw feedback!',
  unavailable: 'Deze vragenlijst is niet meer beschikbaar. Bedankt!',
  notFound: 'Sorry, we hebben geen actieve vragenlijst voor dit nummer gevonden.',
  invalidReply: 'Sorry, we hebben uw antwoord niet begrepen.',
  tooManyInvalid: 'We hebben uw antwoorden niet begrepen en de vragenlijst daarom afgesloten. Bedankt voor uw tijd.',
};
