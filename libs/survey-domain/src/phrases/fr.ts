import { type Phrases } from './phrase-keys.js';

/** French (formal "vous"; worded to stay within GSM-7: "sondage", not "enquête"). */
export const fr: Phrases = {
  scaleInstruction: 'Répondez par un nombre de {min} à {max}.',
  scaleLabel: '{value} = {label}',
  yesNoInstruction: 'Répondez OUI ou NON.',
  yesWords: ['oui', 'ouais'],
  noWords: ['non', 'n'],
  choiceOption: '{number}) {text}',
  singleChoiceInstruction: 'Répondez par le numéro de votre choix.',
  multipleChoiceInstruction: 'Répondez par un ou plusieurs numéros séparés par des virgules, par ex. 1,3.',
  completion: 'Merci pour votre avis !',
  unavailable: "Ce sondage n'est plus disponible. Merci !",
  notFound: "Désolé, nous n'avons trouvé aucun sondage en cours pour ce numéro.",
  invalidReply: "Désolé, nous n'avons pas compris votre réponse.",
  tooManyInvalid: "Nous n'avons pas compris vos réponses, nous avons donc mis fin au sondage. Merci pour votre temps.",
};
