// Classifies an operation's outcome from what the response says (error codes, data) and from
// the governance decisions recorded in the request context.
import type { AuditOutcome } from './audit-entry';

/** Whole-operation refusals: the operation was understood but not served. */
export const REFUSAL_CODES = new Set([
  'UNAUTHENTICATED',
  'PURPOSE_REQUIRED',
  'PURPOSE_NOT_GRANTED',
  'RATE_LIMITED',
  'QUERY_TOO_COMPLEX',
  'SUSPENDED',
  'PERSISTED_QUERY_REQUIRED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** The request was not a valid operation (it never ran). */
export const INVALID_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'BAD_USER_INPUT',
  'OPERATION_RESOLUTION_FAILURE',
]);

export interface OutcomeFacts {
  errorCodes: readonly string[];
  /** The document parsed, validated and execution started. */
  executed: boolean;
  /** At least one root field came back non-null. */
  hasData: boolean;
  /** Field coordinates denied by the policy. */
  denied: readonly string[];
}

export function classifyOutcome(facts: OutcomeFacts): AuditOutcome {
  const codes = new Set(facts.errorCodes);
  if (!facts.hasData && [...codes].some((code) => REFUSAL_CODES.has(code))) return 'refused';
  if (!facts.executed && codes.size > 0) return [...codes].every((code) => INVALID_CODES.has(code) || REFUSAL_CODES.has(code)) ? 'invalid' : 'error';
  const known = new Set([...INVALID_CODES, ...REFUSAL_CODES, 'FORBIDDEN']);
  if ([...codes].some((code) => !known.has(code))) return 'error';
  if (facts.denied.length > 0 || codes.has('FORBIDDEN')) return facts.hasData ? 'partial' : 'denied';
  if (codes.size > 0) return facts.hasData ? 'partial' : 'invalid';
  return 'ok';
}
