// The admission steps that need the operation itself, run after the request's own steps
// (src/admission/admission.ts) and before execution, for every entry point that runs GraphQL
// (the gateway, restricted exports, subgraphs): introspection by principal, NUL characters,
// operation limits, persisted operations for partner tokens, and the purpose a data read needs.
import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Principal } from '../auth/principal';
import type { RequestContext } from '../context';
import { ErrorCode } from '../errors';
import type { Policy } from '../policy/policy';
import { checkOperationLimits, type OperationLimits } from '../security/limits';
import { normalizedHashOf } from '../security/persisted-operations';
import { purposeRequired } from './admission';
import { operationFacts, type OperationFacts } from './operation-facts';
import { admitRootPurposes, declaredRootPurposes, rootPurposesOf } from './root-purposes';

export interface OperationCheckOptions {
  /** The gateway's operation limits; null when it runs without them (benchmarks). */
  limits: OperationLimits | null;
  /** Whether the principal may introspect the schema under `policy`. */
  mayIntrospect(principal: Principal | null, policy: Policy): boolean;
  /**
   * Whether a partner token registered this document (persisted operations), by the hash of its
   * text or of its normalized form; null when not enforced.
   */
  isPersisted: ((principal: Principal, documentHash: string | null, normalizedHash: string) => Promise<boolean>) | null;
  /** Whether a data read needs a purpose (default true; false only for the ungoverned benchmark schema). */
  requirePurpose?: boolean;
  /**
   * Whether root fields may declare their own purpose with `@purpose` (default true; false for
   * work that runs under one purpose, such as a restricted export's query).
   */
  rootPurposes?: boolean;
}

export interface OperationToCheck {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  operationName: string | null | undefined;
  variables: Record<string, unknown> | undefined;
  /** SHA-256 of the document's text (what persisted operations are registered by). */
  documentHash: string | null | undefined;
}

function valueHasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  return Object.values(value as Record<string, unknown>).some((item) => valueHasNul(item, depth + 1));
}

/** Runs the checks in order; throws the first refusal; returns the operation's facts. */
export async function checkOperation(ctx: RequestContext, op: OperationToCheck, options: OperationCheckOptions): Promise<OperationFacts> {
  const facts = operationFacts(op.schema, op.document, op.operation);
  const principal = ctx.principal;
  if (facts.introspection && !options.mayIntrospect(principal, ctx.policy)) {
    throw new GraphQLError('Introspection is not allowed for this principal', {
      extensions: { code: ErrorCode.FORBIDDEN, coordinate: 'Query.__schema', http: { status: 403 } },
    });
  }
  if (facts.nulInLiterals || valueHasNul(op.variables)) {
    // PostgreSQL text cannot hold NUL: refuse it as input rather than fail in the database.
    throw new GraphQLError('String arguments and variables may not contain NUL (\\u0000) characters', {
      extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
    });
  }
  if (options.limits) {
    // Introspection only, by a principal allowed to introspect (checked above): its own limits.
    const refusal = checkOperationLimits(op.schema, op.document, op.operationName, op.variables, options.limits, facts.introspectionOnly);
    if (refusal) throw refusal;
  }
  // A partner may always ask about itself (`me`, its own registered operations): no data is read.
  if (options.isPersisted && principal?.kind === 'token' && principal.partner && !facts.selfOnly) {
    const hash = op.documentHash ?? null;
    const normalizedHash = normalizedHashOf(op.document);
    if (!(await options.isPersisted(principal, hash, normalizedHash))) {
      throw new GraphQLError('This token may run only the operations registered for it (persisted operations); this document is not one of them', {
        extensions: { code: ErrorCode.PERSISTED_QUERY_REQUIRED, documentHash: hash, normalizedHash, http: { status: 403 } },
      });
    }
  }
  // Per-root purposes (`@purpose`): each named purpose granted, each root field's purpose on the context.
  const perRoot = options.rootPurposes ?? true;
  const roots = declaredRootPurposes(op.schema, op.document, op.operation, op.variables, perRoot);
  const rootPurposes = rootPurposesOf(ctx.purpose, roots);
  // Set before the grant check, so that a refused operation's record names what it declared.
  if (perRoot) ctx.rootPurposes = rootPurposes;
  admitRootPurposes(principal, ctx.policy, roots);
  if ((options.requirePurpose ?? true) && facts.selectsData) {
    // Every root field that reads data is decided under a purpose: its own, or the operation's.
    const missing = rootPurposes ? [...facts.dataRoots].some((key) => !rootPurposes.has(key)) : ctx.purpose === null;
    if (missing) throw purposeRequired(principal);
  }
  return facts;
}
