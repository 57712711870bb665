// Loads the configured access policy: the operator's POLICY_FILE (JSON) or the shipped default.
// A policy applied with `sellergate policy apply` takes precedence over both (policy-store.ts).
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
  return parsePolicy(readPolicyDocument(file), file);
}

/** The JSON document of a policy file; an unreadable file or bad JSON throws PolicyValidationError naming it. */
export function readPolicyDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyValidationError(file, [`cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new PolicyValidationError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
}
