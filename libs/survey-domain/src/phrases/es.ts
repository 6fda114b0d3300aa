import { type Phrases } from './phrase-keys.js';

/**
 * Spanish (formal "usted", worded for Spain and Latin America alike). "número", "sí" and "está" need characters
 * outside GSM-7, so these SMS go as UCS-2 (70 characters a segment): the phrases are kept short.
 */
export const es: Phrases = {
  scaleInstruction: 'Responda con un número del {min} al {max}.',
  scaleLabel: '{value} = {label}',
  yesNoInstruction: 'Responda SÍ o NO.',
  yesWords: ['sí', 's'],
  noWords: ['no', 'n'],
  choiceOption: '{number}) {text}',
  singleChoiceInstruction: 'Responda con el número de su elección.',
  multipleChoiceInstruction: 'Responda con uno o más números separados por comas, p. ej. 1,3.',
  completion: '¡Gracias por su opinión!',
  unavailable: 'Esta encuesta ya no está disponible. ¡Gracias!',
  notFound: 'Lo sentimos, no encontramos ninguna encuesta activa para este número.',
  invalidReply: 'Lo sentimos, no entendimos su respuesta.',
  tooManyInvalid: 'No entendimos sus respuestas, por lo que la encuesta ha finalizado. Gracias por su tiempo.',
};
