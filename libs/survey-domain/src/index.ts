export * from './survey-definition.js';
export * from './render.js';
export * from './reply-parser.js';
export * from './survey-session.js';
export * from './sender-choice.js';
export * from './opt-out.js';
