import { type Phrases } from './phrase-keys.js';

/** Norwegian (bokmål; `nb` and `nn` fall back to it). */
export const no: Phrases = {
  scaleInstruction: 'Svar med et tall fra {min} til {max}.',
  scaleLabel: '{value} = {label}',
  yesNoInstruction: 'Svar JA eller NEI.',
  yesWords: ['ja', 'j', 'jo', 'jepp'],
  noWords: ['nei', 'n'],
  choiceOption: '{number}) {text}',
  singleChoiceInstruction: 'Svar med tallet for ditt valg.',
  multipleChoiceInstruction: 'Svar med ett eller flere tall skilt med komma, f.eks. 1,3.',
  completion: 'Takk for tilbakemeldingen!',
  unavailable: 'Denne undersøkelsen er ikke lenger tilgjengelig. Takk!',
  notFound: 'Beklager, vi fant ingen aktiv undersøkelse for dette nummeret.',
  invalidReply: 'Beklager, vi forsto ikke svaret ditt.',
  tooManyInvalid: 'Vi forsto ikke svarene dine, så vi har avsluttet undersøkelsen. Takk for at du tok deg tid.',
};
