// Infrastructure failures: the database (or the audit log behind it) could not serve a request —
// a terminated or refused connection, a pool that could not hand out a connection in time, a
// statement or lock wait cut by its timeout, the request's deadline passed. Such a request is
// answered 503 UNAVAILABLE (retry later), never as if the caller had done something wrong
// (401, 400) and never with data whose audit record is not committed.
import { GraphQLError } from 'graphql';
import { ErrorCode } from './errors';

/** SQLSTATEs of a server that cannot serve now (classes 08 and 53, admin shutdown, timeouts). */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '57014', '55P03', '53300', '53400', '53100', '53200', '58000', '58030', '40001']);
/** Node and pg client errors of a connection that is gone or never came. */
const UNAVAILABLE_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /not queryable/i,
  /Client was closed/i,
  /Cannot use a pool after calling end/i,
  /Driver not Connected/i,
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH/,
  /connection (?:is )?closed/i,
  /Query read timeout/i,
];

/** Raised when a request's deadline (REQUEST_DEADLINE_MS) passed before a step finished. */
export class DeadlineExceededError extends Error {
  readonly code = 'DEADLINE_EXCEEDED';
  constructor(what: string, ms: number) {
    super(`${what} did not finish within the request deadline of ${ms} ms`);
  }
}

/** Whether `error` (or what it wraps) is an infrastructure failure rather than the request's fault. */
export function isUnavailableError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  if (error instanceof DeadlineExceededError) return true;
  if (error instanceof GraphQLError) {
    // A deliberate error (it has a code) is what it says; its message may quote a caller's input.
    const code = error.extensions?.code;
    if (code !== undefined && code !== ErrorCode.INTERNAL_SERVER_ERROR) return code === ErrorCode.UNAVAILABLE;
    return isUnavailableError(error.originalError, depth + 1);
  }
  const record = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
  const nested = () => isUnavailableError(record.driverError, depth + 1) || isUnavailableError(record.cause, depth + 1);
  // An error with a code (a SQLSTATE, a system error) is judged by its code alone: a server's
  // message can quote a value a caller sent.
  if (typeof record.code === 'string' && record.code !== '') {
    if (UNAVAILABLE_STATES.has(record.code) || record.code.startsWith('08')) return true;
    if (/^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH)$/.test(record.code)) return true;
    return nested();
  }
  // The pg client's and pool's own errors carry no code: "Connection terminated", acquire timeouts.
  if (typeof record.message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(record.message as string))) return true;
  return nested();
}

export const UNAVAILABLE_MESSAGE = 'The service cannot answer this request now (its database is unavailable or too slow); nothing was served: try again later';

/** The refusal of a request that infrastructure could not serve: HTTP 503, Retry-After 1. */
export function unavailable(reason = 'DATABASE_UNAVAILABLE', message = UNAVAILABLE_MESSAGE): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.UNAVAILABLE, reason, http: { status: 503, headers: new Map([['retry-after', '1']]) } },
  });
}
