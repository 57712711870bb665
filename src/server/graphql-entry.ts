// The `/graphql` entry. Every request to `/graphql` is served here, on Node's own request and
// response; Express serves the other routes. In order: the request id, the middleware of every
// route (API call log, security headers, CORS), the JSON body (within BODY_LIMIT), the request
// checks (batch and document size), then Apollo Server, with the request admitted by
// src/admission (the context of every operation). A request refused on the way is recorded in
// the audit log before it is answered.
//
// Why not Express for this one route: its router and the prototypes it swaps onto each request
// and response cost about 0.1 ms of CPU per request on the development machine
// (docs/benchmarks.md), as much as the whole answer of a bare `pg` handler, and `/graphql` is
// nearly every request the gateway serves.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import express from 'express';
import proxyAddr from 'proxy-addr';
import type { Admission } from '../admission/admission';
import { admitHttpRequest, type HttpRequestFacts } from '../admission/http-admission';
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

/** The `/graphql` entry as a request listener (see the file's comment). */
export function graphqlEntry(options: GraphqlEntryOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { apollo, admission, bodyLimit, checks } = options;
  const handlers: NodeHandler[] = [...options.middleware, express.json({ limit: bodyLimit }) as unknown as NodeHandler];

  const facts = (req: IncomingMessage, requestId: string): HttpRequestFacts => ({
    requestId,
    ip: proxyAddr(req, options.trustProxy) ?? null,
    header(name) {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
  });

  const refuse = async (res: ServerResponse, request: HttpRequestFacts, refusal: HttpRefusalAnswer): Promise<void> => {
    try {
      await options.onHttpRefusal?.({ requestId: request.requestId, code: refusal.code, message: refusal.message, ip: request.ip, userAgent: request.header('user-agent') ?? null });
    } catch (error) {
      logger().error({ err: error, requestId: request.requestId }, 'could not record a refused request');
      sendJson(res, 503, errorJson(ErrorCode.UNAVAILABLE, 'The request could not be recorded in the audit log and was not served'));
      return;
    }
    sendJson(res, refusal.status, errorJson(refusal.code, refusal.message, refusal.extensions));
  };

  const serve = async (req: IncomingMessage & { body?: unknown }, res: ServerResponse, request: HttpRequestFacts): Promise<void> => {
    const url = req.url ?? '/graphql';
    const queryAt = url.indexOf('?');
    const search = queryAt < 0 ? '' : url.slice(queryAt);
    const body = req.body;
    const query = search ? new URLSearchParams(search).get('query') : null;
    for (const check of checks) {
      const refusal = check({ body, query });
      if (refusal) {
        await refuse(res, request, refusal);
        return;
      }
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: (req.method ?? 'GET').toUpperCase(), headers, search, body },
      context: () => admitHttpRequest(admission, request, 'graphql', Array.isArray(body) ? body.length : 1),
    });
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
