// Loads the access policy in force: the operator's POLICY_FILE (JSON) or the shipped default.
import { readFileSync } from 'node:fs';
import type { Config } from '../config';
import { defaultPolicy } from './default-policy';
import { parsePolicy, PolicyValidationError, type Policy } from './policy';

/**
 * The policy for this process. An unreadable or invalid POLICY_FILE throws, naming the file and
 * every bad entry (e.g. `roles.analyst.grants.ACCOUNTING: ...`), so start-up stops.
 */
export function loadPolicy(config: Pick<Config, 'POLICY_FILE'>): Policy {
  const file = config.POLICY_FILE;
  if (!file) return defaultPolicy();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyValidationError(file, [`cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new PolicyValidationError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parsePolicy(document, file);
}
