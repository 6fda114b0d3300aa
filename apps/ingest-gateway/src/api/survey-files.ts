import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SurveyDefinitionRepository } from '@sms-survey/db';
import { ConfigError } from '@sms-survey/service-kit';
import { validateSurveyDefinition, type SurveyDefinition } from '@sms-survey/survey-domain';

export interface SurveyFile {
  file: string;
  survey: SurveyDefinition;
}

/**
 * Reads and validates every `*.json` file in `dir`. Any problem (unreadable directory, bad JSON, an invalid
 * definition, one survey id in two files) throws a ConfigError listing every problem of every file, each
 * prefixed with the file's path. Symbolic links are followed: a Kubernetes ConfigMap mounts its files as links.
 */
export async function readSurveyFiles(dir: string): Promise<SurveyFile[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.json') && !name.startsWith('.')).sort();
  } catch (error) {
    throw new ConfigError([`SURVEYS_DIR: cannot read the directory ${dir}: ${(error as Error).message}`]);
  }
  const problems: string[] = [];
  const files: SurveyFile[] = [];
  const fileById = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, name);
    let input: unknown;
    try {
      if (!(await stat(file)).isFile()) continue;
      input = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      problems.push(`${file}: ${error instanceof SyntaxError ? 'not valid JSON: ' : ''}${(error as Error).message}`);
      continue;
    }
    const result = validateSurveyDefinition(input);
    if (!result.ok) {
      problems.push(...result.problems.map((problem) => `${file}: ${problem}`));
      continue;
    }
    const other = fileById.get(result.survey.id);
    if (other) {
      problems.push(`${file}: survey id "${result.survey.id}" is also defined in ${other}`);
      continue;
    }
    fileById.set(result.survey.id, file);
    files.push({ file, survey: result.survey });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return files;
}

/** Saves each survey read from the files; an unchanged survey keeps its version. Logs ids and versions only. */
export async function saveSurveyFiles(files: readonly SurveyFile[], repository: SurveyDefinitionRepository, logger: Logger): Promise<void> {
  const loaded = [];
  for (const { file, survey } of files) {
    const { version, created } = await repository.save(survey.id, survey);
    loaded.push({ file, surveyId: survey.id, name: survey.name, version, created });
  }
  logger.info({ surveys: loaded }, `survey files loaded: ${loaded.map((s) => `${s.surveyId} v${s.version}${s.created ? ' (new)' : ''}`).join(', ') || 'none'}`);
}
