import { type Phrases } from './phrase-keys.js';

/** English. */
export const en: Phrases = {
  scaleInstruction: 'Reply with a number from {min} to {max}.',
  scaleLabel: '{value} = {label}',
  yesNoInstruction: 'Reply YES or NO.',
  yesWords: ['yes', 'y', 'yeah', 'yep', 'true'],
  noWords: ['no', 'n', 'nope', 'false'],
  choiceOption: '{number}) {text}',
  singleChoiceInstruction: 'Reply with the number of your choice.',
  multipleChoiceInstruction: 'Reply with one or more numbers separated by commas, e.g. 1,3.',
  completion: 'Thank you for your feedback!',
  unavailable: 'This survey is no longer available. Thank you!',
  notFound: 'Sorry, we could not find an active survey for this number.',
  invalidReply: 'Sorry, we did not understand your reply.',
  tooManyInvalid: 'We could not understand your replies, so we have ended the survey. Thank you for your time.',
};
