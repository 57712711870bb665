// Structured JSON logs (pino). Request logs carry the request id; values of personal data
// never reach a log line (only names, counts and codes).
import pino, { type Logger } from 'pino';
import { config } from './config';

/** Error properties that can hold data values: SQL parameters, and the server's row details. */
const VALUE_BEARING = ['parameters', 'detail', 'where', 'internalQuery'] as const;

type SerializedError = Record<string, unknown>;

/** PostgreSQL quotes the offending input in these messages: the quote is dropped, the rest kept. */
const INPUT_IN_MESSAGE = /(invalid input (?:syntax|value) for [^:"\n]*: )"[^\n]*"/;

function scrubMessage(message: unknown): unknown {
  return typeof message === 'string' ? message.replace(INPUT_IN_MESSAGE, '$1"[redacted]"') : message;
}

/** pino's error serializer, without the properties that carry values (a failed statement's parameters). */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized = pino.stdSerializers.err(error) as unknown as SerializedError;
  const scrub = (value: unknown, depth: number): void => {
    if (!value || typeof value !== 'object' || depth > 4) return;
    const record = value as SerializedError;
    for (const key of VALUE_BEARING) if (key in record) record[key] = '[redacted]';
    record.message = scrubMessage(record.message);
    if (typeof record.stack === 'string') record.stack = scrubMessage(record.stack);
    scrub(record.driverError, depth + 1);
    scrub(record.cause, depth + 1);
  };
  scrub(serialized, 0);
  if (serialized.driverError && typeof serialized.driverError === 'object') {
    // The driver's error is a copy of the same failure: keep what identifies it, not its values.
    const { code, message, severity, routine } = serialized.driverError as SerializedError;
    serialized.driverError = { code, message, severity, routine };
  }
  return serialized;
}

let root: Logger | undefined;

export function logger(): Logger {
  root ??= pino({
    level: config().NODE_ENV === 'test' && !process.env.LOG_LEVEL ? 'silent' : config().LOG_LEVEL,
    base: { service: 'sellergate' },
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'token', '*.token'], censor: '[redacted]' },
    serializers: { err: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  return root;
}
