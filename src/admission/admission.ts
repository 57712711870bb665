// The admission pipeline: every entry point (GraphQL, POST /imports, GET /exports/:id, /metrics,
// the console, the deletion form, CLI commands, subgraphs, connectors) builds its request context
// here, through the same steps in the same order (DESIGN.md "Invariants"):
//
//   1. authenticate   the credential, or the principal an entry point already established
//   2. suspension     a suspended principal is refused
//   3. rate limits    per source address (every request, authenticated or not) and per principal
//   4. purpose        the declared purpose (or a token's single bound purpose) must be granted
//
// then the entry point's own decisions (field decisions, permissions, scope), and exactly one
// record in the audit hash chain (`record`), fail-closed. The first refusal is kept in the context
// (`ctx.refusal`), never thrown, so the request is still recorded; later steps do not run.
import { performance } from 'node:perf_hooks';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import type { PrincipalSuspension } from '../../entities/gateway/principal-suspension.entity';
import type { AuditEntry } from '../audit/audit-entry';
import type { AppendOptions } from '../audit/audit.writer';
import { REFUSAL_CODES } from '../audit/audit-outcome';
import { unauthenticated } from '../auth/authenticate';
import { rowScopeOf, type Principal } from '../auth/principal';
import { LoaderRegistry, newRequestContext, type EntryPoint, type RequestContext, type RequestOrigin } from '../context';
import { replicaReads } from '../db/read-replica';
import { isUnavailableError, unavailable } from '../unavailable';
import { ErrorCode } from '../errors';
import type { Policy } from '../policy/policy';
import type { PolicySource } from '../policy/policy-holder';
import { ALL_PURPOSES, isPurpose, Permission, type Purpose } from '../policy/taxonomy';
import type { Authenticate } from '../auth/authenticate';
import type { RateLimiter } from '../security/rate-limit';
import { suspendedError } from '../security/suspension.service';

export interface AdmissionInput {
  entry: EntryPoint;
  requestId: string;
  /** The `Authorization` header (or the CLI's token), if any. */
  authorization?: string;
  /** A principal the entry point established itself (the CLI's local operator, a verified subgraph hop). */
  principal?: Principal;
  origin: RequestOrigin;
  /** The purpose as declared (`X-Purpose`, `--purpose`); null when none. */
  declaredPurpose: string | null;
  /** Operations the request carries: a batched request counts each against the principal's limit. */
  operations?: number;
  /** The policy the request is bound to (default: the one in force). */
  policy?: Policy;
}

/** The suspension lookup admission needs (src/security/suspension.service.ts). */
export interface SuspensionLookup {
  activeFor(principal: Pick<Principal, 'id'>): Promise<PrincipalSuspension | null>;
}

/** Whether a principal's token is known to be revoked. */
export interface RevocationLookup {
  isRevoked(principal: Pick<Principal, 'id' | 'kind'>): boolean;
}

/** Appends a record to the audit hash chain; rejects when it cannot (the request is then refused). */
export type AppendAudit = (entry: AuditEntry, options?: AppendOptions) => Promise<void>;

export interface AdmissionDeps {
  dataSource: DataSource;
  /** The policy in force (the process's holder), asked for each request. */
  policies: PolicySource;
  authenticate: Authenticate;
  suspensions?: SuspensionLookup | null;
  /**
   * Revoked tokens this process knows of (src/auth/revoked-tokens.ts), for principals the entry
   * point established without a token lookup (a subgraph serving the principal of a hop token).
   */
  revokedTokens?: RevocationLookup | null;
  rateLimiter?: RateLimiter | null;
  /** Null: records are not written (benchmarks that measure the gateway without its audit log). */
  audit?: AppendAudit | null;
  now?: () => Date;
  changes?: RequestContext['changes'];
  /**
   * The request deadline (REQUEST_DEADLINE_MS; 0 or absent: none): admission, execution and the
   * wait for the audit record together. Past it the request is answered 503 UNAVAILABLE.
   */
  deadlineMs?: number;
}

export const DEADLINE_MESSAGE = 'The request did not finish within its deadline (REQUEST_DEADLINE_MS); nothing was served: try again later';

/** The refusal of a request past its deadline. */
export function deadlineExceeded(): GraphQLError {
  return unavailable('DEADLINE_EXCEEDED', DEADLINE_MESSAGE);
}

/** The record of a request refused at its deadline: an error, whatever it was going to be. */
function refusedAtDeadline(entry: AuditEntry): AuditEntry {
  return { ...entry, outcome: 'error', errorCodes: [...new Set([...entry.errorCodes, ErrorCode.UNAVAILABLE])] };
}

/** A request refused before admission could start (malformed body, body too large, batch too large). */
export interface TransportRefusal {
  requestId: string;
  code: string;
  message?: string;
  ip: string | null;
  userAgent: string | null;
  declaredPurpose?: string | null;
  startedAt?: number;
  /** The subgraph that refused it (federation); absent at the gateway. */
  servedBy?: string;
  /** A more precise reason, recorded after `code` (e.g. HOP_TOKEN_REPLAYED). */
  reason?: string;
}

/** Facts of a finished request that only its entry point knows, for its audit record. */
export type RequestFacts = Partial<
  Pick<AuditEntry, 'operationType' | 'operationName' | 'documentHash' | 'document' | 'variables' | 'fields' | 'categories' | 'masked' | 'denied' | 'rowsByCategory' | 'purpose' | 'servedBy'>
> & {
  outcome: AuditEntry['outcome'];
  errorCodes: string[];
  /**
   * The answer carried no data (`data` null or absent): no rows were returned, whatever the
   * resolvers counted. GraphQL answers as soon as a non-null root field fails, while its sibling
   * roots may still be reading; their counts would otherwise depend on timing.
   */
  returnedNoData?: boolean;
};

function rateLimited(retryAfterSeconds: number, what: 'address' | 'principal'): GraphQLError {
  const settings = what === 'address' ? 'IP_RATE_LIMIT_PER_MINUTE, IP_RATE_LIMIT_BURST' : 'RATE_LIMIT_PER_MINUTE, RATE_LIMIT_BURST';
  const message =
    what === 'address'
      ? `Too many requests from this address: retry after ${retryAfterSeconds} s (${settings})`
      : `Rate limit exceeded for this principal: retry after ${retryAfterSeconds} s (${settings})`;
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds, http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) } },
  });
}

/**
 * The purpose a request acts under — the declared one, else a token's single bound purpose —
 * or the refusal: an unknown purpose, or one the principal may not declare. Whether a purpose is
 * required at all depends on what the operation reads (`requirePurpose`).
 */
export function admittedPurpose(principal: Principal, policy: Policy, declaredPurpose: string | null): Purpose | null {
  const declared = declaredPurpose?.trim() || null;
  let purpose: Purpose | null = null;
  if (declared !== null) {
    if (!isPurpose(declared)) {
      throw new GraphQLError(`Unknown purpose "${declared}" in X-Purpose; valid purposes: ${ALL_PURPOSES.join(', ')}`, {
        extensions: { code: ErrorCode.BAD_USER_INPUT, validPurposes: ALL_PURPOSES, http: { status: 400 } },
      });
    }
    purpose = declared;
  } else if (principal.kind === 'token' && principal.purposes.length === 1) {
    // A token bound to a single purpose declares it implicitly.
    purpose = principal.purposes[0];
  }
  if (purpose === null) return purpose;
  assertPurposeGranted(principal, policy, purpose);
  return purpose;
}

/**
 * Refuses (PURPOSE_NOT_GRANTED) a purpose the principal may not act under: its role's purposes,
 * narrowed by a token's. The local operator acts under any purpose.
 */
export function assertPurposeGranted(principal: Principal, policy: Policy, purpose: string): asserts purpose is Purpose {
  if (!isPurpose(purpose)) {
    throw new GraphQLError(`Unknown purpose "${purpose}"; valid purposes: ${ALL_PURPOSES.join(', ')}`, {
      extensions: { code: ErrorCode.BAD_USER_INPUT, validPurposes: ALL_PURPOSES, http: { status: 400 } },
    });
  }
  if (principal.kind === 'operator') return;
  const role = policy.roles[principal.role];
  if (!role || !role.purposes.includes(purpose) || !principal.purposes.includes(purpose)) {
    throw new GraphQLError(`Purpose ${purpose} is not granted to this principal (role ${principal.role})`, {
      extensions: { code: ErrorCode.PURPOSE_NOT_GRANTED, purpose, grantedPurposes: principal.purposes, http: { status: 403 } },
    });
  }
}

/** The refusal of a request that reads data without a declared purpose. */
export function purposeRequired(principal: Principal | null): GraphQLError {
  return new GraphQLError('This operation reads data: declare the purpose of use with the X-Purpose header', {
    extensions: { code: ErrorCode.PURPOSE_REQUIRED, grantedPurposes: principal?.purposes ?? [], http: { status: 400 } },
  });
}

/** Whether the principal holds `permission` under `policy` (partner tokens never hold administrative ones). */
export function holdsPermission(policy: Policy, principal: Principal | null, permission: Permission): boolean {
  if (!principal) return false;
  if (principal.kind === 'operator') return true;
  if (principal.partner || principal.kind === 'public') return false;
  return policy.roles[principal.role]?.permissions.includes(permission) ?? false;
}

/** The refusal of a principal that lacks a permission (any one of `permissions` would do). */
export function permissionRequired(principal: Principal, permissions: Permission | readonly Permission[], what: string): GraphQLError {
  const needed = typeof permissions === 'string' ? [permissions] : [...permissions];
  return new GraphQLError(`Role ${principal.role} may not ${what} (needs ${needed.join(' or ')})`, {
    extensions: { code: ErrorCode.FORBIDDEN, permissions: needed, http: { status: 403 } },
  });
}

/** HTTP status of a refusal (the `http.status` its error carries, else by code). */
export function refusalStatus(error: GraphQLError): number {
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  if (status) return status;
  switch (error.extensions?.code) {
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.SUSPENDED:
    case ErrorCode.FORBIDDEN:
    case ErrorCode.PURPOSE_NOT_GRANTED:
    case ErrorCode.PERSISTED_QUERY_REQUIRED:
      return 403;
    case ErrorCode.INTERNAL_SERVER_ERROR:
    case ErrorCode.UNAVAILABLE:
      return 503;
    default:
      return 400;
  }
}

export class Admission {
  private readonly now: () => Date;

  constructor(private readonly deps: AdmissionDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Whether records are written (false only in benchmarks that measure the gateway without them). */
  get audited(): boolean {
    return Boolean(this.deps.audit);
  }

  /** The policy in force. */
  policy(): Policy {
    return this.deps.policies.current();
  }

  /**
   * Runs the admission steps and returns the request's context, complete. A refusal is kept in
   * `ctx.refusal` (the entry point refuses with it and records the request); nothing is thrown.
   */
  async admit(input: AdmissionInput): Promise<RequestContext> {
    const startedAt = performance.now();
    const policy = input.policy ?? this.deps.policies.current();
    const { principal, refusal, purpose } = await this.bounded(this.steps(input, policy), startedAt, () => ({ principal: null, refusal: deadlineExceeded(), purpose: null }));
    return newRequestContext({
      requestId: input.requestId,
      entry: input.entry,
      principal,
      purpose,
      scope: rowScopeOf(principal),
      db: this.deps.dataSource.manager,
      reads: replicaReads(this.deps.dataSource),
      loaders: new LoaderRegistry(),
      now: this.now,
      policy,
      declaredPurpose: input.declaredPurpose,
      refusal,
      http: input.origin,
      startedAt,
      changes: this.deps.changes,
    });
  }

  /** ms left of a request's deadline that started at `startedAt` (Infinity without a deadline). */
  remainingMs(startedAt: number): number {
    return this.deps.deadlineMs ? this.deps.deadlineMs - (performance.now() - startedAt) : Infinity;
  }

  /** Whether the request is past its deadline: its answer is then 503 UNAVAILABLE, whatever it was. */
  pastDeadline(ctx: Pick<RequestContext, 'startedAt'>): boolean {
    return this.remainingMs(ctx.startedAt) <= 0;
  }

  /** `work`, or `onTimeout()` when the deadline comes first (the work goes on, its result unused). */
  private async bounded<T>(work: Promise<T>, startedAt: number, onTimeout: () => T): Promise<T> {
    const left = this.remainingMs(startedAt);
    if (left === Infinity) return work;
    work.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(onTimeout()), Math.max(0, left));
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The audit append, waiting at most until the deadline (from `since`, default the request's start). */
  private append(entry: AuditEntry, since: number | undefined): Promise<void> {
    const left = since === undefined ? Infinity : this.remainingMs(since);
    if (left === Infinity) return this.deps.audit!(entry);
    return this.deps.audit!(entry, { timeoutMs: Math.max(0, left), onTimeout: refusedAtDeadline });
  }

  private async steps(input: AdmissionInput, policy: Policy): Promise<{ principal: Principal | null; refusal: GraphQLError | null; purpose: Purpose | null }> {
    const { authenticate, suspensions, revokedTokens, rateLimiter, dataSource } = this.deps;
    // 1. Authenticate.
    let principal: Principal | null = input.principal ?? null;
    let refusal: GraphQLError | null = null;
    if (!principal) {
      try {
        principal = await authenticate(input.authorization, { dataSource, now: this.now, ip: input.origin.ip });
      } catch (error) {
        // The credential could not be checked (the database failed, not the caller): 503
        // UNAVAILABLE, recorded as an error; a good credential is never answered 401 for it.
        refusal = error instanceof GraphQLError ? error : isUnavailableError(error) ? unavailable('AUTHENTICATION_UNAVAILABLE') : unauthenticated();
      }
    } else if (revokedTokens?.isRevoked(principal) || (principal.expiresAt && principal.expiresAt.getTime() <= this.now().getTime())) {
      // A principal authenticated elsewhere (a gateway, for a subgraph): its token was revoked or
      // has expired since. Kept in the context, so the refusal is recorded under it.
      refusal = unauthenticated();
    }
    // 2. Suspension.
    if (!refusal && principal && suspensions) {
      try {
        const suspension = await suspensions.activeFor(principal);
        if (suspension) refusal = suspendedError(suspension);
      } catch (error) {
        if (!isUnavailableError(error)) throw error;
        refusal = unavailable('SUSPENSION_CHECK_UNAVAILABLE');
      }
    }
    // 3. Rate limits: the address pays for every request (a refused credential too, so guessing
    // credentials is limited like anything else), the principal for each operation it sends.
    if (rateLimiter && (!refusal || refusal.extensions?.code === ErrorCode.UNAUTHENTICATED)) {
      const byAddress = await rateLimiter.takeForIp(input.origin.ip ?? 'unknown');
      if (!byAddress.allowed) refusal = rateLimited(byAddress.retryAfterSeconds, 'address');
      else if (!refusal && principal && principal.kind !== 'operator') {
        const byPrincipal = await rateLimiter.takeForPrincipal(principal.kind, principal.id, Math.max(1, input.operations ?? 1));
        if (!byPrincipal.allowed) refusal = rateLimited(byPrincipal.retryAfterSeconds, 'principal');
      }
    }
    // 4. Purpose.
    let purpose: Purpose | null = null;
    if (!refusal && principal) {
      try {
        purpose = admittedPurpose(principal, policy, input.declaredPurpose);
      } catch (error) {
        refusal = error as GraphQLError;
      }
    }
    if (!refusal && !principal) refusal = unauthenticated();
    return { principal, refusal, purpose };
  }

  /**
   * Writes the request's one audit record. Rejects when it cannot be written: the entry point
   * then withholds its answer (fail-closed).
   */
  async record(ctx: RequestContext, facts: RequestFacts, options: { since?: number } = {}): Promise<void> {
    if (!this.deps.audit) return;
    await this.append(this.entryOf(ctx, facts), options.since ?? ctx.startedAt);
  }

  /** Records a request refused before admission (no principal is known); rejects when it cannot. */
  async recordTransportRefusal(refusal: TransportRefusal): Promise<void> {
    if (!this.deps.audit) return;
    const declared = refusal.declaredPurpose?.trim() ?? null;
    await this.append({
      timestamp: this.now(),
      requestId: refusal.requestId,
      principalId: null,
      principalKind: null,
      principalRole: null,
      purpose: declared ? (isPurpose(declared) ? declared : '[unknown]') : null,
      clientName: null,
      clientVersion: null,
      sourceIp: refusal.ip,
      userAgent: refusal.userAgent,
      operationType: null,
      operationName: null,
      documentHash: null,
      variables: null,
      fields: [],
      categories: [],
      masked: [],
      denied: [],
      rowsByCategory: {},
      outcome: REFUSAL_CODES.has(refusal.code) ? 'refused' : 'invalid',
      errorCodes: refusal.reason ? [refusal.code, refusal.reason] : [refusal.code],
      durationMs: refusal.startedAt === undefined ? 0 : performance.now() - refusal.startedAt,
      policyVersion: this.deps.policies.current().version,
      servedBy: refusal.servedBy ?? null,
      purposes: null,
    }, refusal.startedAt ?? performance.now());
  }

  /** The audit record of a request, from its context and the facts its entry point adds. */
  entryOf(ctx: RequestContext, facts: RequestFacts): AuditEntry {
    const principal = ctx.principal;
    const governance = ctx.governance;
    const declared = ctx.declaredPurpose?.trim() || null;
    const rowsByCategory = facts.returnedNoData ? {} : { ...(governance.rowsByCategory as Record<string, number>), ...facts.rowsByCategory };
    // Without nested fields (the usual case) the document's cached list itself: normalizeEntry
    // (src/audit/audit-entry.ts) then normalizes it once per document, not once per request.
    const fields = governance.nestedFields.size === 0 && facts.fields ? facts.fields : [...(facts.fields ?? []), ...governance.nestedFields];
    return {
      timestamp: this.now(),
      requestId: ctx.requestId,
      principalId: principal?.id ?? null,
      principalKind: principal?.kind ?? null,
      principalRole: principal?.role ?? null,
      purpose: facts.purpose ?? ctx.purpose ?? (declared ? (isPurpose(declared) ? declared : '[unknown]') : null),
      // Every purpose the operation's root fields were decided under, when they declared their own.
      purposes: ctx.rootPurposes ? [...new Set(ctx.rootPurposes.values())].sort() : null,
      clientName: ctx.http.clientName,
      clientVersion: ctx.http.clientVersion,
      sourceIp: ctx.http.ip,
      userAgent: ctx.http.userAgent,
      operationType: facts.operationType ?? null,
      operationName: facts.operationName ?? null,
      documentHash: facts.documentHash ?? null,
      document: facts.document,
      variables: facts.variables ?? null,
      fields,
      categories: [...new Set([...(facts.categories ?? []), ...governance.nestedCategories, ...Object.keys(rowsByCategory)])],
      masked: [...new Set([...governance.masked, ...(facts.masked ?? [])])],
      denied: [...new Set([...governance.denied, ...(facts.denied ?? [])])],
      rowsByCategory,
      outcome: facts.outcome,
      errorCodes: facts.errorCodes,
      durationMs: performance.now() - ctx.startedAt,
      policyVersion: ctx.policy.version,
      servedBy: facts.servedBy ?? null,
    };
  }
}
