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
import { DEADLINE_MESSAGE, deadlineExceeded, holdsPermission, permissionRequired, purposeRequired, refusalStatus, type Admission, type RequestFacts } from './admission';
import { REFUSAL_CODES } from '../audit/audit-outcome';
import { isUnavailableError, unavailable, UNAVAILABLE_MESSAGE } from '../unavailable';

/** The message of a request refused because its audit record could not be written (503, `reason: AUDIT_WRITE_FAILED`). */
export const REFUSAL_NOT_RECORDED_MESSAGE = 'The request could not be recorded in the audit log and was not served; try again later';

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
  /**
   * The route's change, not yet final: kept only once the request's audit record is committed
   * (`commit`), else `abandon`ed (the record could not be written, or the request was refused at
   * its deadline): the change is rolled back or undone, or, where it cannot be (an import's
   * upserts), marked as not recorded. See `PendingChange`.
   */
  pending?: PendingChange;
}

/** A change an admitted route made that is kept only if its audit record is committed. */
export interface PendingChange {
  /** The record is committed: make the change final (commit its transaction). */
  commit(): Promise<void>;
  /**
   * The record was not written (or the answer became a refusal): undo the change. What it returns
   * is added to the JSON refusal's `error` (e.g. which import run was marked).
   */
  abandon(): Promise<Record<string, unknown> | void>;
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

/** The answer when the request's audit record could not be written: 503, in the route's format. */
function notRecordedAnswer(spec: RouteSpec, details: Record<string, unknown> | void): RouteAnswer {
  const error = { ...details, code: ErrorCode.UNAVAILABLE, reason: 'AUDIT_WRITE_FAILED', message: REFUSAL_NOT_RECORDED_MESSAGE };
  const answer: RouteAnswer = { status: 503, headers: { 'retry-after': '1' }, json: { error } };
  if (spec.renderRefusal) answer.send = spec.renderRefusal(503, ErrorCode.UNAVAILABLE, REFUSAL_NOT_RECORDED_MESSAGE);
  return answer;
}

/** A refusal answer in the route's own format (its page), else JSON. */
function inRouteFormat(spec: RouteSpec, answer: RouteAnswer, message: string): RouteAnswer {
  const code = answer.facts?.errorCodes?.[0] ?? ErrorCode.UNAVAILABLE;
  if (spec.renderRefusal) answer.send = spec.renderRefusal(answer.status, code, message);
  return answer;
}

/** Undoes a route's change (logged when even that fails: the change then stays, unrecorded). */
async function abandon(spec: RouteSpec, ctx: RequestContext, pending: PendingChange | undefined): Promise<Record<string, unknown> | void> {
  if (!pending) return;
  try {
    return await pending.abandon();
  } catch (error) {
    logger().error({ err: error, requestId: ctx.requestId }, `${spec.operation}: its change could not be undone after its audit record failed`);
  }
}

/**
 * An admitted route: `handler` runs only for a request that passed every step, and its answer is
 * sent only after the request's audit record is written. A `GraphQLError` it throws is a refusal
 * (its `http.status` and code are answered); anything else is an internal error (logged, 500).
 * A change the handler returns as `pending` is kept only once the record is committed: when the
 * record cannot be written (or the answer became a refusal at the deadline) it is abandoned and
 * the answer is 503, in the route's own format (its HTML page, else JSON).
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
    const pending = answer.pending;
    // Refused at its deadline: nothing is served, so the change is not kept either (after the record).
    let keep = pending !== undefined;
    if (!spec.longRunning && admission.pastDeadline(ctx)) {
      answer = inRouteFormat(spec, refusalAnswer(deadlineExceeded()), DEADLINE_MESSAGE);
      keep = false;
    }
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
        // The record may yet be written, as the refusal this is: the change is not kept.
        await abandon(spec, ctx, pending);
        send(res, inRouteFormat(spec, refusalAnswer(deadlineExceeded()), DEADLINE_MESSAGE));
        return;
      }
      logger().error({ err: error, requestId: ctx.requestId }, `${spec.operation}: audit record not written, answer withheld${pending ? ' and its change abandoned' : ''}`);
      send(res, notRecordedAnswer(spec, await abandon(spec, ctx, pending)));
      return;
    }
    if (pending && !keep) await abandon(spec, ctx, pending);
    else if (pending) {
      try {
        await pending.commit();
      } catch (error) {
        // Recorded, but the change did not commit: nothing was served.
        logger().error({ err: error, requestId: ctx.requestId }, `${spec.operation}: recorded, but its change could not be committed`);
        answer = inRouteFormat(spec, refusalAnswer(unavailable()), UNAVAILABLE_MESSAGE);
      }
    }
    send(res, answer);
  };
}

/** A refusal of a whole HTTP request (its status, code, message, and headers such as `Allow` or `Retry-After`). */
export interface RequestRefusal {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

/** A refusal raised as a `GraphQLError` (a rate limit, the deadline), as a request refusal. */
function requestRefusalOf(error: GraphQLError): RequestRefusal {
  const { code, http, ...extensions } = error.extensions ?? {};
  const headers: Record<string, string> = {};
  for (const [name, value] of (http as { headers?: Map<string, string> } | undefined)?.headers ?? []) headers[name] = value;
  return { status: refusalStatus(error), code: String(code ?? ErrorCode.INTERNAL_SERVER_ERROR), message: error.message, headers, extensions };
}

export interface AdmittedRefusalOptions {
  /** A public route's path (the Data Deletion page): admitted as the `public` principal of its address. */
  anyone?: boolean;
  /** What the record says of the request besides its outcome (e.g. `operationName`). */
  facts?: Partial<RequestFacts>;
}

/**
 * Refuses a request that is not served as sent (not a GraphQL request, a possible CSRF, a wrong
 * method, an unknown path under an admitted route, a body that cannot be read) through the
 * admission steps all the same: it pays the per-address (and per-principal) rate limits, and its
 * one audit record has its request id, source address, user agent and, when its credential is
 * good, its principal. Returns what to answer: `refusal`; 429 RATE_LIMITED when a rate limit
 * refused the request first; 503 UNAVAILABLE past the deadline or when the record could not be
 * written (fail-closed). Rejects only when admission itself failed unexpectedly.
 */
export async function admittedRefusal(admission: Admission, request: HttpRequestFacts, entry: EntryPoint, refusal: RequestRefusal, options: AdmittedRefusalOptions = {}): Promise<RequestRefusal> {
  const ctx = await admitHttpRequest(admission, request, entry, 1, options.anyone === true);
  const admitted = ctx.refusal;
  const admittedCode = admitted ? String(admitted.extensions?.code ?? '') : '';
  let answer = admittedCode === ErrorCode.RATE_LIMITED ? requestRefusalOf(admitted!) : refusal;
  if (admission.pastDeadline(ctx)) answer = requestRefusalOf(deadlineExceeded());
  const codes = [answer.code];
  if (answer.code !== refusal.code) codes.push(refusal.code);
  // What admission refused besides (a bad credential, a suspension): recorded, not answered. A
  // request that sent no credential at all is not called unauthenticated for it.
  if (admittedCode && !codes.includes(admittedCode) && (admittedCode !== ErrorCode.UNAUTHENTICATED || header(request, 'authorization') !== null)) codes.push(admittedCode);
  try {
    await admission.record(ctx, {
      ...options.facts,
      errorCodes: codes,
      outcome: answer.status >= 500 ? 'error' : REFUSAL_CODES.has(answer.code) ? 'refused' : 'invalid',
    });
  } catch (error) {
    if (error instanceof AuditWaitExceededError) return requestRefusalOf(deadlineExceeded());
    logger().error({ err: error, requestId: ctx.requestId }, 'could not record a refused request: answer withheld');
    return { status: 503, code: ErrorCode.UNAVAILABLE, message: REFUSAL_NOT_RECORDED_MESSAGE, headers: { 'retry-after': '1' }, extensions: { reason: 'AUDIT_WRITE_FAILED' } };
  }
  return answer;
}

/** Admitted routes: each path a route serves (as Express matches it: any case, a trailing slash) and its methods. */
const ADMITTED_PATHS: readonly { prefix: string; entry: EntryPoint; anyone?: boolean; routes: readonly { path: RegExp; allow: string }[] }[] = [
  { prefix: '/metrics', entry: 'metrics', routes: [{ path: /^\/metrics\/?$/i, allow: 'GET, HEAD' }] },
  { prefix: '/imports', entry: 'imports', routes: [{ path: /^\/imports\/?$/i, allow: 'POST' }] },
  { prefix: '/exports', entry: 'exports', routes: [{ path: /^\/exports\/[^/]+\/?$/i, allow: 'GET, HEAD' }] },
  { prefix: '/data-deletion', entry: 'deletion-form', anyone: true, routes: [{ path: /^\/data-deletion(?:\/status)?\/?$/i, allow: 'GET, HEAD, POST' }] },
];

/**
 * After every route: a request under an admitted route's path that no route served (an unknown
 * path, a wrong method) is refused 404 NOT_FOUND or 405 (with `Allow`) through the admission
 * steps and recorded (`admittedRefusal`), like the routes it missed. Anything else goes on to the
 * plain 404.
 */
export function unservedAdmittedPath(admission: Admission): RequestHandler {
  return async (req, res, next) => {
    const path = req.path;
    const lower = path.toLowerCase();
    const admitted = ADMITTED_PATHS.find((candidate) => lower === candidate.prefix || lower.startsWith(`${candidate.prefix}/`));
    if (!admitted) {
      next();
      return;
    }
    const route = admitted.routes.find((candidate) => candidate.path.test(path));
    const refusal: RequestRefusal = route
      ? { status: 405, code: 'BAD_REQUEST', message: `${req.method} is not served here: use ${route.allow}`, headers: { allow: route.allow } }
      : { status: 404, code: 'NOT_FOUND', message: `Not found: no route under ${admitted.prefix} serves this path` };
    // The record names the route family, never the path as sent (it could carry anything).
    const operationName = `${req.method} ${admitted.prefix}${lower === admitted.prefix || lower === `${admitted.prefix}/` ? '' : '/*'}`;
    try {
      const answer = await admittedRefusal(admission, expressRequestFacts(req, res), admitted.entry, refusal, { anyone: admitted.anyone, facts: { operationType: 'http', operationName } });
      res.status(answer.status);
      if (answer.headers) res.set(answer.headers);
      res.json({ error: { code: answer.code, message: answer.message } });
    } catch (error) {
      next(error);
    }
  };
}

