// Builds the request context once per request. Authentication failures are kept in the
// context (never thrown here) so the operation is still parsed, refused and audited.
import type { IncomingHttpHeaders } from 'node:http';
import type { Request } from 'express';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { rowScopeOf } from '../auth/principal';
import { GovernanceRecorder, LoaderRegistry, type RequestContext } from '../context';
import { replicaReads } from '../db/read-replica';
import { ErrorCode } from '../errors';
import type { Policy } from '../policy/policy';

/** Turns an `Authorization` header into a principal; `null` when there is none; throws when bad. */
export type Authenticate = (
  authorization: string | undefined,
  deps: { dataSource: DataSource; now: () => Date; ip: string | null },
) => Promise<Principal | null>;

export interface ContextDeps {
  dataSource: DataSource;
  policy: Policy;
  authenticate: Authenticate;
  now: () => Date;
  changes?: RequestContext['changes'];
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? null : text;
}

export async function createRequestContext(req: Request, deps: ContextDeps): Promise<RequestContext> {
  const ip = req.ip ?? null;
  let principal: Principal | null = null;
  let authError: GraphQLError | null = null;
  try {
    principal = await deps.authenticate(header(req.headers, 'authorization') ?? undefined, {
      dataSource: deps.dataSource,
      now: deps.now,
      ip,
    });
  } catch (error) {
    authError =
      error instanceof GraphQLError
        ? error
        : new GraphQLError('Authentication failed', { extensions: { code: ErrorCode.UNAUTHENTICATED } });
  }
  return {
    requestId: String(req.res?.locals.requestId ?? ''),
    principal,
    purpose: null,
    scope: rowScopeOf(principal),
    db: deps.dataSource.manager,
    reads: replicaReads(deps.dataSource),
    loaders: new LoaderRegistry(),
    governance: new GovernanceRecorder(),
    now: deps.now,
    policy: deps.policy,
    declaredPurpose: header(req.headers, 'x-purpose'),
    authError,
    http: {
      ip,
      userAgent: header(req.headers, 'user-agent'),
      clientName: header(req.headers, 'apollographql-client-name'),
      clientVersion: header(req.headers, 'apollographql-client-version'),
    },
    startedAt: Date.now(),
    changes: deps.changes,
  };
}
