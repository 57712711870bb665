// HTTP hardening: security headers (helmet; a CSP that GraphiQL's same-origin scripts satisfy),
// a CORS allow-list, HTTPS with HSTS, the production start-up rule (no plain HTTP on a public
// address unless a TLS proxy is trusted), and the HTTP-level limits checked before admission:
// operations per batch, document size. Refusals are audited like every other one. (Requests per
// source address are counted by admission, src/admission, on every route.)
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { RequestListener, Server } from 'node:http';
import cors from 'cors';
import helmet from 'helmet';
import type { Config } from '../config';
import { ErrorCode } from '../errors';
import type { GraphqlRequestCheck } from '../server/graphql-entry';
import type { NodeHandler } from '../server/node-handler';
import { LIMIT_KEYS, type OperationLimits } from './limits';

/** Whether TLS ends in this process or at a trusted proxy in front of it. */
export function servesHttps(config: Pick<Config, 'TLS_CERT' | 'TLS_KEY' | 'TRUST_PROXY'>): boolean {
  return Boolean(config.TLS_CERT && config.TLS_KEY) || trustsProxy(config);
}

function trustsProxy(config: Pick<Config, 'TRUST_PROXY'>): boolean {
  const value = config.TRUST_PROXY?.trim().toLowerCase();
  return Boolean(value) && value !== 'false' && value !== '0';
}

/** Express's `trust proxy` setting from TRUST_PROXY (a hop count, `true`, or addresses). */
export function trustProxySetting(config: Pick<Config, 'TRUST_PROXY'>): boolean | number | string | undefined {
  if (!trustsProxy(config)) return undefined;
  const value = config.TRUST_PROXY!.trim();
  if (value.toLowerCase() === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '::ffff:127.0.0.1']);

/**
 * Start-up rule: in production, plain HTTP only on a loopback address, or behind a TLS proxy
 * named by TRUST_PROXY. Throws a message naming the settings to fix.
 */
export function assertTransportAllowed(config: Pick<Config, 'NODE_ENV' | 'TLS_CERT' | 'TLS_KEY' | 'TRUST_PROXY'>, host: string): void {
  if (config.NODE_ENV !== 'production' || servesHttps(config) || LOOPBACK.has(host) || host.startsWith('127.')) return;
  throw new Error(
    `Refusing to serve plain HTTP on ${host} in production: set TLS_CERT and TLS_KEY, bind HOST to a loopback address, or set TRUST_PROXY when TLS ends at a proxy in front`,
  );
}

/** An HTTPS server when TLS_CERT/TLS_KEY are set, else null (plain HTTP). */
export function createTlsServer(config: Pick<Config, 'TLS_CERT' | 'TLS_KEY'>, app: RequestListener): Server | null {
  if (!config.TLS_CERT && !config.TLS_KEY) return null;
  if (!config.TLS_CERT || !config.TLS_KEY) throw new Error('TLS_CERT and TLS_KEY go together: set both or neither');
  return createHttpsServer({ cert: readFileSync(config.TLS_CERT), key: readFileSync(config.TLS_KEY), minVersion: 'TLSv1.2' }, app) as unknown as Server;
}

export function corsOrigins(config: Pick<Config, 'CORS_ORIGINS'>): string[] {
  return config.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
}

/** Security headers and CORS, for every route. */
export function hardeningMiddleware(config: Config): NodeHandler[] {
  const origins = corsOrigins(config);
  return [
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // GraphiQL sets style attributes and the page has one small <style>.
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          workerSrc: ["'self'", 'blob:'],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      strictTransportSecurity: servesHttps(config) && config.HSTS_MAX_AGE > 0 ? { maxAge: config.HSTS_MAX_AGE, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
      referrerPolicy: { policy: 'no-referrer' },
    }),
    cors({
      // Only listed origins get CORS headers; others get none (the browser then blocks the read).
      origin: (origin, callback) => callback(null, origin !== undefined && origins.includes(origin)),
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'X-Purpose', 'X-Request-Id', 'Apollo-Require-Preflight', 'apollographql-client-name', 'apollographql-client-version'],
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    }),
  ];
}

function documentBytes(operation: unknown): number {
  const query = (operation as { query?: unknown } | null)?.query;
  return typeof query === 'string' ? Buffer.byteLength(query, 'utf8') : 0;
}

/** Operations per batched request and document size, checked on the parsed body (and a GET's `query`). */
export function requestLimitsCheck(limits: OperationLimits): GraphqlRequestCheck {
  return ({ body, query }) => {
    const operations = Array.isArray(body) ? body : [body];
    if (Array.isArray(body) && limits.batchOperations > 0 && body.length > limits.batchOperations) {
      return {
        status: 400,
        code: ErrorCode.BAD_USER_INPUT,
        message: `Batch refused: it holds ${body.length} operations, above the limit of ${limits.batchOperations} (${LIMIT_KEYS.batchOperations})`,
        extensions: { limit: LIMIT_KEYS.batchOperations, max: limits.batchOperations, found: body.length },
      };
    }
    const largest = Math.max(0, ...operations.map(documentBytes), query !== null ? Buffer.byteLength(query) : 0);
    if (limits.documentBytes > 0 && largest > limits.documentBytes) {
      return {
        status: 413,
        code: ErrorCode.QUERY_TOO_COMPLEX,
        message: `Operation refused: its document size in bytes is ${largest}, above the limit of ${limits.documentBytes} (${LIMIT_KEYS.documentBytes})`,
        extensions: { limit: LIMIT_KEYS.documentBytes, max: limits.documentBytes, found: largest },
      };
    }
    return null;
  };
}
