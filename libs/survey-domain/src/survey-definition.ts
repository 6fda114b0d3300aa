// A survey definition's structure (the zod schema) and its semantic validation, in two files; imported from here.
export * from './survey-definition.schema.js';
export * from './survey-definition.validate.js';
