// Structured JSON logs (pino). Request logs carry the request id; values of personal data
// never reach a log line (only names, counts and codes).
import pino, { type Logger } from 'pino';
import { config } from '../config';

let root: Logger | undefined;

export function logger(): Logger {
  root ??= pino({
    level: config().NODE_ENV === 'test' && !process.env.LOG_LEVEL ? 'silent' : config().LOG_LEVEL,
    base: { service: 'sellergate' },
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'token', '*.token'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
  return root;
}
