import { type Phrases } from './phrase-keys.js';

/** Finnish. */
export const fi: Phrases = {
  scaleInstruction: 'Vastaa numerolla {min}-{max}.',
  scaleLabel: '{value} = {label}',
  yesNoInstruction: 'Vastaa KYLLÄ tai EI.',
  yesWords: ['kyllä', 'k', 'joo', 'juu'],
  noWords: ['ei'],
  choiceOption: '{number}) {text}',
  singleChoiceInstruction: 'Vastaa valitsemasi vaihtoehdon numerolla.',
  multipleChoiceInstruction: 'Vastaa yhdellä tai useammalla numerolla pilkuin erotettuna, esim. 1,3.',
  completion: 'Kiitos palautteestasi!',
  unavailable: 'Tämä kysely on jo päättynyt. Kiitos!',
  notFound: 'Valitettavasti emme löytäneet tähän numeroon liittyvää avointa kyselyä.',
  invalidReply: 'Valitettavasti emme ymmärtäneet vastaustasi.',
  tooManyInvalid: 'Emme ymmärtäneet vastauksiasi, joten lopetimme kyselyn. Kiitos ajastasi.',
};
