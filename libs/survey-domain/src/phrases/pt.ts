import { type Phrases } from './phrase-keys.js';

/**
 * Portuguese, worded for Portugal and Brazil alike (`pt-BR` and `pt-PT` fall back to it). "número" and "não"
 * need characters outside GSM-7, so these SMS go as UCS-2 (70 characters a segment): the phrases are kept short.
 */
export const pt: Phrases = {
  scaleInstruction: 'Responda com um número de {min} a {max}.',
  scaleLabel: '{value} = {label}',
  yesNoInstruction: 'Responda SIM ou NÃO.',
  yesWords: ['sim', 's'],
  noWords: ['não', 'n'],
  choiceOption: '{number}) {text}',
  singleChoiceInstruction: 'Responda com o número da opção escolhida.',
  multipleChoiceInstruction: 'Responda com um ou mais números separados por vírgulas, ex.: 1,3.',
  completion: 'Obrigado pela sua opinião!',
  unavailable: 'Este questionário já não está disponível. Obrigado!',
  notFound: 'Desculpe, não há nenhum questionário ativo para este número.',
  invalidReply: 'Desculpe, não entendemos a sua resposta.',
  tooManyInvalid: 'Não entendemos as suas respostas, por isso o questionário foi encerrado. Obrigado pelo seu tempo.',
};
