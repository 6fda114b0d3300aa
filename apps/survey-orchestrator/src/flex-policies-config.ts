import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { parseFlexSurveyPolicies, type FlexSurveyPolicy } from '@sms-survey/survey-domain';

type Source = { FLEX_SURVEY_POLICIES?: string; FLEX_SURVEY_POLICIES_FILE?: string };

/**
 * The Flex survey policies from FLEX_SURVEY_POLICIES (JSON) or FLEX_SURVEY_POLICIES_FILE (a path to the JSON),
 * validated; each problem is reported on the variable that holds it, with the policy's path.
 */
export function readFlexSurveyPolicies(env: Source, ctx: z.RefinementCtx): FlexSurveyPolicy[] {
  const problem = (variable: keyof Source, message: string) => ctx.issues.push({ code: 'custom', path: [variable], message, input: env[variable] });
  if (env.FLEX_SURVEY_POLICIES !== undefined && env.FLEX_SURVEY_POLICIES_FILE !== undefined) {
    problem('FLEX_SURVEY_POLICIES_FILE', 'set either FLEX_SURVEY_POLICIES or FLEX_SURVEY_POLICIES_FILE, not both');
    return [];
  }
  const variable: keyof Source = env.FLEX_SURVEY_POLICIES_FILE !== undefined ? 'FLEX_SURVEY_POLICIES_FILE' : 'FLEX_SURVEY_POLICIES';
  let text = env.FLEX_SURVEY_POLICIES;
  if (env.FLEX_SURVEY_POLICIES_FILE !== undefined) {
    try {
      text = readFileSync(env.FLEX_SURVEY_POLICIES_FILE, 'utf8');
    } catch (error) {
      problem(variable, `cannot read ${env.FLEX_SURVEY_POLICIES_FILE}: ${(error as Error).message}`);
      return [];
    }
  }
  if (text === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    problem(variable, `must be JSON: ${(error as Error).message}`);
    return [];
  }
  const result = parseFlexSurveyPolicies(json);
  if (result.ok) return result.policies;
  for (const p of result.problems) problem(variable, `policy ${p}`);
  return [];
}
