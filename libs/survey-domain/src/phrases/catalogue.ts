import { da } from './da.js';
import { de } from './de.js';
import { en } from './en.js';
import { es } from './es.js';
import { fi } from './fi.js';
import { fr } from './fr.js';
import { nl } from './nl.js';
import { no } from './no.js';
import { type Phrases } from './phrase-keys.js';
import { pt } from './pt.js';
import { sv } from './sv.js';

/**
 * The built-in phrases, by language (a BCP 47 tag in canonical case). A regional tag falls back to its language
 * (`en-GB` → `en`, `pt-BR` → `pt`) and `nb`/`nn` to `no`, so a tag is added here only when its words differ.
 */
export const PHRASE_CATALOGUE: Readonly<Record<string, Phrases>> = { en, no, sv, da, fi, de, fr, es, nl, pt };

/** The languages the catalogue has phrases for. */
export const CATALOGUE_LANGUAGES: readonly string[] = Object.keys(PHRASE_CATALOGUE);

/** English: what a text falls back to when nothing else has it (a survey saved before a phrase existed). */
export const LAST_RESORT_LANGUAGE = 'en';

/**
 * The languages with built-in phrases (derived from the catalogue). Not a limit: a survey may list any BCP 47
 * language, giving in its `phrases` what the catalogue lacks.
 */
export const SUPPORTED_LANGUAGES: readonly string[] = CATALOGUE_LANGUAGES;
