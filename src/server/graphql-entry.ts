// The `/graphql` entry. Every request to `/graphql` is served here, on Node's own request and
// response; Express serves the other routes. In order: the request id, the middleware of every
// route (API call log, security headers, CORS), the JSON body (within BODY_LIMIT), the request
// checks (batch and document size), then Apollo Server, with the request admitted by
// src/admission (the context of every operation). A request refused on the way is recorded in
// the audit log before it is answered.
//
// What Apollo Server itself would refuse before any operation starts (a possible CSRF, a method
// other than GET and POST, a body that is not a GraphQL request) is refused here first, by the
// same rules (`apolloRefusal`): Apollo refuses some of those before the context is built, so
// admission would never see them. Refused here, such a request passes admission all the same
// (rate limits per address and principal) and is recorded with its request id, address, user
// agent and principal (src/admission/http-admission.ts `admittedRefusal`).
//
// Why not Express for this one route: its router and the prototypes it swaps onto each request
// and response cost about 0.1 ms of CPU per request on the development machine
// (docs/benchmarks.md), as much as the whole answer of a bare `pg` handler, and `/graphql` is
// nearly every request the gateway serves.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import express from 'express';
import proxyAddr from 'proxy-addr';
import MIMEType from 'whatwg-mimetype';
import type { Admission } from '../admission/admission';
import type { KnownOperationAnswer, KnownOperations } from '../admission/known-operations';
import { admitHttpRequest, admittedRefusal, REFUSAL_NOT_RECORDED_MESSAGE, type HttpRequestFacts } from '../admission/http-admission';
import type { RequestContext } from '../context';
import { ErrorCode } from '../errors';
import { logger } from '../logger';
import { runHandlers, type NodeHandler } from './node-handler';
import { assignRequestId } from '../request-id';

/** A request refused before GraphQL saw it (bad JSON, body too large, wrong content type), as the audit log records it. */
export interface HttpRefusal {
  requestId: string;
  code: string;
  message: string;
  ip: string | null;
  userAgent: string | null;
}

/** A refusal of a whole HTTP request, before any operation runs. */
export interface HttpRefusalAnswer {
  status: number;
  code: string;
  message: string;
  /** Answer headers (`Allow`, `Retry-After`). */
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

/** A check of a parsed `/graphql` request (its body, and a GET's `query` parameter): a refusal, or null. */
export type GraphqlRequestCheck = (request: { body: unknown; query: string | null }) => HttpRefusalAnswer | null;

export interface GraphqlEntryOptions {
  apollo: ApolloServer<RequestContext>;
  admission: Admission;
  bodyLimit: string;
  /** Run on every request first (API call log, security headers, CORS), as on every other route. */
  middleware: readonly NodeHandler[];
  checks: readonly GraphqlRequestCheck[];
  /** Records a refused request in the audit log; a failure withholds the answer (503). */
  onHttpRefusal?: (refusal: HttpRefusal) => Promise<void>;
  /** Which proxies are trusted to report the client's address (Express's compiled `trust proxy`). */
  trustProxy: (address: string, hop: number) => boolean;
  /** Answers planned operations of documents Apollo Server has validated, without its pipeline (src/admission/known-operations.ts). */
  knownOperations?: KnownOperations | null;
  /** Told of each answer made by `knownOperations` before it is written (`started`: process.hrtime.bigint() when the request began), as Apollo's plugins are of theirs: may add headers. */
  onKnownAnswer?: (answer: KnownOperationAnswer, started: bigint) => void;
}

/** Whether Express would have routed `url` to a handler mounted at `/graphql` (any case; `/graphql/...` too). */
export function isGraphqlPath(url: string | undefined): boolean {
  if (!url) return false;
  const query = url.indexOf('?');
  const path = (query < 0 ? url : url.slice(0, query)).toLowerCase();
  return path === '/graphql' || path.startsWith('/graphql/');
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Writes a JSON answer: `body` already serialized. */
export function sendJson(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('content-type', JSON_TYPE);
  res.setHeader('content-length', Buffer.byteLength(body));
  res.end(body);
}

function errorJson(code: string, message: string, extensions: Record<string, unknown> = {}): string {
  return JSON.stringify({ errors: [{ message, extensions: { ...extensions, code } }] });
}

/** An error no step expected, on any route: logged, answered 500 without details. */
export function answerUnhandled(res: ServerResponse, requestId: unknown, error: unknown): void {
  logger().error({ err: error, requestId }, 'unhandled HTTP error');
  if (!res.headersSent) sendJson(res, 500, errorJson(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error'));
  else res.end();
}

/** Body parser errors answered as a client's mistake (recorded like every refusal); others are internal errors. */
function bodyRefusal(error: unknown, bodyLimit: string): HttpRefusalAnswer | null {
  switch ((error as { type?: string }).type) {
    case 'entity.parse.failed':
      return { status: 400, code: ErrorCode.BAD_USER_INPUT, message: 'Malformed JSON body: send a JSON object such as {"query": "{ __typename }"}' };
    case 'entity.too.large':
      return { status: 413, code: ErrorCode.BAD_USER_INPUT, message: `Request body larger than the limit of ${bodyLimit}` };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return { status: 415, code: ErrorCode.BAD_USER_INPUT, message: 'Unsupported body encoding: send UTF-8 JSON' };
    default:
      return null;
  }
}

/** What of Apollo Server's own settings decides which requests it refuses before any operation. */
export interface ApolloRequestRules {
  /** `csrfPrevention`'s headers (lower case); null: CSRF prevention off. */
  csrfPreventionRequestHeaders: readonly string[] | null;
  allowBatchedHttpRequests: boolean;
}

/**
 * The rules of `apollo` as it was configured (`csrfPrevention`, `allowBatchedHttpRequests`), read
 * from the server itself so the checks here and Apollo's never disagree; null when this version of
 * Apollo Server keeps them elsewhere (Apollo's own checks then stand alone).
 */
export function apolloRequestRules(apollo: ApolloServer<RequestContext>): ApolloRequestRules | null {
  const internals = (apollo as unknown as { internals?: { csrfPreventionRequestHeaders?: unknown; allowBatchedHttpRequests?: unknown } }).internals;
  if (!internals || typeof internals.allowBatchedHttpRequests !== 'boolean') return null;
  const headers = internals.csrfPreventionRequestHeaders;
  if (headers !== null && !(Array.isArray(headers) && headers.every((name) => typeof name === 'string'))) return null;
  return { csrfPreventionRequestHeaders: headers === null ? null : headers.map((name: string) => name.toLowerCase()), allowBatchedHttpRequests: internals.allowBatchedHttpRequests };
}

const MAX_REMEMBERED_ESSENCES = 64;
const essences = new Map<string, string | null>();

/**
 * The essence (`type/subtype`, lower case) of a `Content-Type`, or null when it does not parse:
 * read by the WHATWG MIME type parser Apollo Server itself uses, so both agree on every header.
 */
export function mimeEssence(value: string): string | null {
  let essence = essences.get(value);
  if (essence === undefined) {
    essence = MIMEType.parse(value)?.essence ?? null;
    // Clients send a handful of distinct values: each is parsed once per process.
    if (essences.size < MAX_REMEMBERED_ESSENCES && value.length <= 200) essences.set(value, essence);
  }
  return essence;
}

/** Content types a browser sends cross-site without a CORS preflight. */
const NON_PREFLIGHTED_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

function badRequest(message: string, status = 400, headers?: Record<string, string>): HttpRefusalAnswer {
  return { status, code: 'BAD_REQUEST', message, ...(headers ? { headers } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** Apollo Server's checks of one operation of a POST body (`runHttpQuery`). */
function postOperationRefusal(body: unknown): HttpRefusalAnswer | null {
  if (!isRecord(body) || Object.keys(body).length === 0) return badRequest('POST body missing, invalid Content-Type, or JSON object has no keys.');
  const query = body.query;
  if (query && typeof query !== 'string') {
    return badRequest(
      (query as { kind?: unknown }).kind === 'Document'
        ? "GraphQL queries must be strings. It looks like you're sending the internal graphql-js representation of a parsed query in your request instead of a request in the GraphQL query language. You can convert an AST to a string using the `print` function from `graphql`, or use a client like `apollo-client` which converts the internal representation to a string for you."
        : 'GraphQL queries must be strings.',
    );
  }
  if (typeof body.variables === 'string') return badRequest('`variables` in a POST body should be provided as an object, not a recursively JSON-encoded string.');
  if (typeof body.extensions === 'string') return badRequest('`extensions` in a POST body should be provided as an object, not a recursively JSON-encoded string.');
  if ('extensions' in body && body.extensions !== null && !isRecord(body.extensions)) return badRequest('`extensions` in a POST body must be an object if provided.');
  if ('variables' in body && body.variables !== null && !isRecord(body.variables)) return badRequest('`variables` in a POST body must be an object if provided.');
  if ('operationName' in body && body.operationName !== null && typeof body.operationName !== 'string') return badRequest('`operationName` in a POST body must be a string if provided.');
  return null;
}

/** Apollo Server's checks of a GET's search parameters (`runHttpQuery`). */
function getRefusal(search: string, contentType: string | undefined): HttpRefusalAnswer | null {
  if (contentType !== undefined && mimeEssence(contentType) !== 'application/json') {
    return badRequest('GET requests may not have a content-type header other than application/json.', 415);
  }
  const params = new URLSearchParams(search);
  for (const name of ['query', 'operationName', 'variables', 'extensions']) {
    const values = params.getAll(name);
    if (values.length > 1) return badRequest(`The '${name}' search parameter may only be specified once.`);
    if (values.length === 0 || (name !== 'variables' && name !== 'extensions')) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(values[0]);
    } catch {
      return badRequest(`The ${name} search parameter contains invalid JSON.`);
    }
    if (!isRecord(parsed)) return badRequest(`The ${name} search parameter should contain a JSON-encoded object.`);
  }
  return null;
}

/**
 * What Apollo Server would refuse before running any operation of this request, with Apollo's own
 * status, code (`BAD_REQUEST`) and message, checked in Apollo's order: CSRF prevention (a request
 * that a browser could send cross-site without a preflight: no content type, or one of the three
 * CORS-safelisted ones, and none of the `csrfPrevention` headers), then the method (GET and POST
 * only: 405 with `Allow`), then the request itself (a GET's content type and search parameters, a
 * POST's body: a non-empty JSON object, or a non-empty array of them when batching is on, whose
 * `query` is a string when present and whose `variables` and `extensions` are objects).
 */
export function apolloRefusal(
  rules: ApolloRequestRules,
  request: { method: string; header(name: string): string | undefined; search: string; body: unknown },
): HttpRefusalAnswer | null {
  const csrfHeaders = rules.csrfPreventionRequestHeaders;
  if (csrfHeaders) {
    const contentType = request.header('content-type');
    const essence = contentType === undefined ? undefined : mimeEssence(contentType);
    const preflighted = essence === null || (essence !== undefined && !NON_PREFLIGHTED_CONTENT_TYPES.includes(essence));
    if (!preflighted && !csrfHeaders.some((name) => (request.header(name) ?? '').length > 0)) {
      return badRequest(
        `This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a 'content-type' header (with a type that is not one of ${NON_PREFLIGHTED_CONTENT_TYPES.join(', ')}) or provide a non-empty value for one of the following headers: ${csrfHeaders.join(', ')}\n`,
      );
    }
  }
  switch (request.method) {
    case 'GET':
      return getRefusal(request.search, request.header('content-type'));
    case 'POST': {
      const { body } = request;
      if (!Array.isArray(body)) return postOperationRefusal(body);
      if (!rules.allowBatchedHttpRequests) return badRequest('Operation batching disabled.');
      if (body.length === 0) return badRequest('No operations found in request.');
      for (const operation of body) {
        const refusal = postOperationRefusal(operation);
        if (refusal) return refusal;
      }
      return null;
    }
    default:
      return badRequest('Apollo Server supports only GET/POST requests.', 405, { allow: 'GET, POST' });
  }
}

/** The `/graphql` entry as a request listener (see the file's comment). */
export function graphqlEntry(options: GraphqlEntryOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { apollo, admission, bodyLimit, checks } = options;
  const known = options.knownOperations ?? null;
  const rules = apolloRequestRules(apollo);
  if (!rules) logger().warn('Apollo Server settings not readable: requests it refuses itself are recorded without their origin');
  const handlers: NodeHandler[] = [...options.middleware, express.json({ limit: bodyLimit }) as unknown as NodeHandler];

  const facts = (req: IncomingMessage, requestId: string): HttpRequestFacts => ({
    requestId,
    ip: proxyAddr(req, options.trustProxy) ?? null,
    header(name) {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
  });

  const answer = (res: ServerResponse, refusal: HttpRefusalAnswer): void => {
    for (const [name, value] of Object.entries(refusal.headers ?? {})) res.setHeader(name, value);
    sendJson(res, refusal.status, errorJson(refusal.code, refusal.message, refusal.extensions));
  };

  // A refused request passes admission all the same: the rate limits (429 first when one refuses
  // it), and one record with its origin and principal (503 when it cannot be written).
  const refuse = async (res: ServerResponse, request: HttpRequestFacts, refusal: HttpRefusalAnswer): Promise<void> => {
    let admitted: HttpRefusalAnswer;
    try {
      admitted = await admittedRefusal(admission, request, 'graphql', refusal);
    } catch (admissionError) {
      // Admission itself failed (not a refusal): the request is still recorded, as a transport refusal.
      logger().error({ err: admissionError, requestId: request.requestId }, 'could not admit a refused request');
      try {
        await options.onHttpRefusal?.({ requestId: request.requestId, code: refusal.code, message: refusal.message, ip: request.ip, userAgent: request.header('user-agent') ?? null });
      } catch (error) {
        logger().error({ err: error, requestId: request.requestId }, 'could not record a refused request');
        admitted = { status: 503, code: ErrorCode.UNAVAILABLE, message: REFUSAL_NOT_RECORDED_MESSAGE, headers: { 'retry-after': '1' }, extensions: { reason: 'AUDIT_WRITE_FAILED' } };
        answer(res, admitted);
        return;
      }
      admitted = refusal;
    }
    answer(res, admitted);
  };

  const serve = async (req: IncomingMessage & { body?: unknown }, res: ServerResponse, request: HttpRequestFacts): Promise<void> => {
    const url = req.url ?? '/graphql';
    const queryAt = url.indexOf('?');
    const search = queryAt < 0 ? '' : url.slice(queryAt);
    const body = req.body;
    const method = (req.method ?? 'GET').toUpperCase();
    const apolloRefuses = rules && apolloRefusal(rules, { method, header: request.header, search, body });
    if (apolloRefuses) {
      await refuse(res, request, apolloRefuses);
      return;
    }
    const query = search ? new URLSearchParams(search).get('query') : null;
    for (const check of checks) {
      const refusal = check({ body, query });
      if (refusal) {
        await refuse(res, request, refusal);
        return;
      }
    }
    const admit = () => admitHttpRequest(admission, request, 'graphql', Array.isArray(body) ? body.length : 1);
    let context = admit;
    if (known && method === 'POST' && isRecord(body)) {
      const started = process.hrtime.bigint();
      const outcome = await known.answer({ body, header: request.header, admit });
      if (outcome?.kind === 'answered') {
        options.onKnownAnswer?.(outcome, started);
        for (const [name, value] of outcome.headers) res.setHeader(name, value);
        sendJson(res, outcome.status, outcome.body);
        return;
      }
      // Admitted there: Apollo Server serves it with that context, never admitting it again.
      if (outcome) context = () => Promise.resolve(outcome.ctx);
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    const response = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method, headers, search, body }, context });
    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      // As Express's `res.send` answered a string: UTF-8, its length, a type when Apollo gave none.
      const type = response.headers.get('content-type');
      if (!type) res.setHeader('content-type', 'text/html; charset=utf-8');
      else if (!/;\s*charset=/i.test(type)) res.setHeader('content-type', `${type}; charset=utf-8`);
      res.setHeader('content-length', Buffer.byteLength(response.body.string));
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return (req, res) => {
    const requestId = assignRequestId(req.headers['x-request-id'], res);
    const onError = (error: unknown) => answerUnhandled(res, requestId, error);
    runHandlers(
      handlers,
      req,
      res,
      () => {
        serve(req, res, facts(req, requestId)).catch(onError);
      },
      (error) => {
        const refusal = bodyRefusal(error, bodyLimit);
        if (refusal) refuse(res, facts(req, requestId), refusal).catch(onError);
        else onError(error);
      },
    );
  };
}
