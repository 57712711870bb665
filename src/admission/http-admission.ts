// The admission pipeline on HTTP routes other than /graphql (POST /imports, GET /exports/:id,
// /metrics, the console's and the deletion form's routes): the request's own steps, the route's
// permission and purpose, the route's work, then exactly one audit record before the answer is
// sent (fail-closed: 503 when it cannot be written).
import type { Request, RequestHandler, Response } from 'express';
import { GraphQLError } from 'graphql';
import { publicPrincipal } from '../auth/principal';
import type { EntryPoint, RequestContext, RequestOrigin } from '../context';
import { ErrorCode } from '../errors';
import type { Permission } from '../policy/taxonomy';
import { logger } from '../logger';
import { performance } from 'node:perf_hooks';
import { AuditWaitExceededError } from '../audit/audit.writer';
import { deadlineExceeded, holdsPermission, permissionRequired, purposeRequired, refusalStatus, type Admission, type RequestFacts } from './admission';
import { REFUSAL_CODES } from '../audit/audit-outcome';
import { isUnavailableError, unavailable, UNAVAILABLE_MESSAGE } from '../unavailable';

/** What admission reads of an HTTP request, on Express's request or on Node's own (the `/graphql` entry). */
export interface HttpRequestFacts {
  requestId: string;
  /** Source address (behind a trusted proxy, the client's as the proxy reports it). */
  ip: string | null;
  header(name: string): string | undefined;
}

/** The facts of a request Express serves (after the request id middleware). */
export function expressRequestFacts(req: Request, res: Response): HttpRequestFacts {
  return { requestId: String(res.locals.requestId ?? ''), ip: req.ip ?? null, header: (name) => req.get(name) };
}

function header(request: HttpRequestFacts, name: string): string | null {
  const value = request.header(name);
  return value === undefined || value === '' ? null : value;
}

/** Where an HTTP request came from, for its context and audit record (never buyers' data). */
export function originOf(request: HttpRequestFacts): RequestOrigin {
  return {
    ip: request.ip,
    userAgent: header(request, 'user-agent'),
    clientName: header(request, 'apollographql-client-name'),
    clientVersion: header(request, 'apollographql-client-version'),
  };
}

/** Admits an HTTP request: its context, complete (a refusal kept in `ctx.refusal`). */
export function admitHttpRequest(admission: Admission, request: HttpRequestFacts, entry: EntryPoint, operations = 1, anyone = false): Promise<RequestContext> {
  return admission.admit({
    entry,
    requestId: request.requestId,
    // A public route admits anyone as the `public` principal of its address; a credential is ignored.
    ...(anyone ? { principal: publicPrincipal(request.ip) } : { authorization: request.header('authorization') }),
    origin: originOf(request),
    declaredPurpose: header(request, 'x-purpose'),
    operations,
  });
}

/** What a route answers: JSON, or its own writer (a file), and the facts of its audit record. */
export interface RouteAnswer {
  status: number;
  json?: unknown;
  send?: (res: Response) => void;
  headers?: Record<string, string>;
  facts?: Partial<RequestFacts>;
}

export interface RouteSpec {
  entry: EntryPoint;
  /** The operation name its audit records carry, e.g. `POST /imports`. */
  operation: string;
  /** The permission the route needs, and what it lets one do (for the refusal's message). */
  permission?: { permission: Permission; what: string };
  /** The route reads category data: a purpose must be declared (or bound to the token). */
  needsPurpose?: boolean;
  /**
   * The route's own work may outlast the request deadline (an upload of a large report): the
   * deadline then covers admission, and the wait for the audit record after the work.
   */
  longRunning?: boolean;
  /** What every record of this route says about the request, refused ones too (e.g. which export). */
  describe?: (req: Request) => Partial<RequestFacts>;
  /** A public route (the Data Deletion page): anyone, as the `public` principal of its address. */
  public?: boolean;
  /** Writes a refusal in the route's own format (an HTML page) instead of JSON. */
  renderRefusal?: (status: number, code: string, message: string) => (res: Response) => void;
}

/** A refusal a route raises on purpose: answered with its status and code, recorded. */
export function routeRefusal(status: number, code: string, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code, http: { status } } });
}

function outcomeOf(status: number, code: string | undefined): RequestFacts['outcome'] {
  if (status < 400) return 'ok';
  if (code && REFUSAL_CODES.has(code)) return 'refused';
  // A route refused whole is `refused`; `denied` is an object the principal may not see at all.
  if (code === 'NOT_FOUND') return 'denied';
  if (status < 500) return code === ErrorCode.BAD_USER_INPUT ? 'invalid' : 'refused';
  return 'error';
}

function refusalAnswer(error: GraphQLError): RouteAnswer {
  const code = String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
  const status = refusalStatus(error);
  const headers: Record<string, string> = {};
  const http = error.extensions?.http as { headers?: Map<string, string> } | undefined;
  for (const [name, value] of http?.headers ?? []) headers[name] = value;
  return { status, headers, json: { error: { code, message: error.message } }, facts: { errorCodes: [code], outcome: outcomeOf(status, code) } };
}

function send(res: Response, answer: RouteAnswer): void {
  res.status(answer.status);
  if (answer.headers) res.set(answer.headers);
  if (answer.send) answer.send(res);
  else res.json(answer.json ?? {});
}

/**
 * An admitted route: `handler` runs only for a request that passed every step, and its answer is
 * sent only after the request's audit record is written. A `GraphQLError` it throws is a refusal
 * (its `http.status` and code are answered); anything else is an internal error (logged, 500).
 */
export function admittedRoute(admission: Admission, spec: RouteSpec, handler: (ctx: RequestContext, req: Request, res: Response) => Promise<RouteAnswer>): RequestHandler {
  return async (req, res) => {
    const ctx = await admitHttpRequest(admission, expressRequestFacts(req, res), spec.entry, 1, spec.public === true);
    let answer: RouteAnswer;
    try {
      if (ctx.refusal) throw ctx.refusal;
      if (spec.permission && !holdsPermission(ctx.policy, ctx.principal, spec.permission.permission)) {
        throw permissionRequired(ctx.principal!, spec.permission.permission, spec.permission.what);
      }
      if (spec.needsPurpose && ctx.purpose === null) throw purposeRequired(ctx.principal);
      answer = await handler(ctx, req, res);
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions?.code) {
        answer = refusalAnswer(error);
        if (spec.renderRefusal) answer.send = spec.renderRefusal(answer.status, String(error.extensions.code), error.message);
      } else if (isUnavailableError(error)) {
        logger().warn({ err: error, requestId: ctx.requestId }, `${spec.operation}: database unavailable, not served`);
        answer = refusalAnswer(unavailable());
        if (spec.renderRefusal) answer.send = spec.renderRefusal(answer.status, ErrorCode.UNAVAILABLE, UNAVAILABLE_MESSAGE);
      } else {
        logger().error({ err: error, requestId: ctx.requestId }, `${spec.operation} failed`);
        answer = { status: 500, json: { error: { code: ErrorCode.INTERNAL_SERVER_ERROR, message: 'Internal server error' } }, facts: { errorCodes: [ErrorCode.INTERNAL_SERVER_ERROR], outcome: 'error' } };
        if (spec.renderRefusal) answer.send = spec.renderRefusal(500, ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error');
      }
    }
    if (!spec.longRunning && admission.pastDeadline(ctx)) answer = refusalAnswer(deadlineExceeded());
    const codes = answer.facts?.errorCodes ?? [];
    try {
      await admission.record(ctx, {
        operationType: 'http',
        operationName: spec.operation,
        ...spec.describe?.(req),
        ...answer.facts,
        errorCodes: codes,
        outcome: answer.facts?.outcome ?? outcomeOf(answer.status, codes[0]),
      }, { since: spec.longRunning ? performance.now() : undefined });
    } catch (error) {
      if (error instanceof AuditWaitExceededError) {
        send(res, refusalAnswer(deadlineExceeded()));
        return;
      }
      logger().error({ err: error, requestId: ctx.requestId }, `${spec.operation}: audit record not written, answer withheld`);
      res.status(503).set('retry-after', '1').json({ error: { code: ErrorCode.UNAVAILABLE, message: 'The request could not be recorded in the audit log and was not served; try again later' } });
      return;
    }
    send(res, answer);
  };
}
