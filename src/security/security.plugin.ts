// The security plugin (registered after the audit plugin and before governance, so its refusals
// are audited and come first): suspension, introspection by principal, operation limits, rate
// limit per principal, persisted operations for partner tokens, execution timeout; hides "Did
// you mean" suggestions from principals that may not introspect; feeds the suspicious-activity
// rules with each operation's outcome.
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext } from '@apollo/server';
import {
  BREAK,
  defaultFieldResolver,
  GraphQLError,
  GraphQLObjectType,
  Kind,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { PrincipalSuspension } from '../../entities/gateway/principal-suspension.entity';
import type { Principal } from '../auth/principal';
import type { Policy } from '../policy/policy';
import type { RequestContext } from '../context';
import { ErrorCode } from '../errors';
import { checkOperationLimits, isTokenLimitError, LIMIT_KEYS, limitExceeded, type OperationLimits } from './limits';
import type { PersistedOperationRegistry } from './persisted-operations';
import type { RateLimiter } from './rate-limit';
import type { SuspiciousActivityDetector } from './suspicious-activity';
import { suspendedError } from './suspension.service';

export interface SecurityPluginOptions {
  limits: OperationLimits;
  /** Whether the principal may introspect the schema (and see "Did you mean" suggestions). */
  /** Whether the principal may introspect under the request's policy (ctx.policy). */
  mayIntrospect(principal: Principal | null, policy?: Policy): boolean;
  rateLimiter: RateLimiter | null;
  /** The principal's active suspension, looked up when it authenticated. */
  suspensionOf(principal: Principal): PrincipalSuspension | undefined;
  /** Partner tokens run only registered documents; null when not enforced. */
  persisted: PersistedOperationRegistry | null;
  detector: SuspiciousActivityDetector | null;
  onError?: (error: unknown, what: string) => void;
}

/** Whether the operation selects `__schema` or `__type` at its root (fragments included). */
export function isIntrospection(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const seen = new Set<string>();
  const visit = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === '__schema' || selection.name.value === '__type';
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      const name = selection.name.value;
      if (seen.has(name)) return false;
      seen.add(name);
      const fragment = fragments.get(name);
      return fragment ? visit(fragment.selectionSet) : false;
    });
  return visit(operation.selectionSet);
}

function valueHasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 32 || value === null || typeof value !== 'object') return false;
  return Object.values(value as Record<string, unknown>).some((item) => valueHasNul(item, depth + 1));
}

// Apollo hands a repeated operation the same parsed document: its literals are searched once.
const documentsWithNul = new WeakMap<DocumentNode, boolean>();

function documentHasNul(document: DocumentNode): boolean {
  let found = documentsWithNul.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      StringValue(node) {
        if (node.value.includes('\u0000')) {
          found = true;
          return BREAK;
        }
        return undefined;
      },
    });
    documentsWithNul.set(document, found);
  }
  return found;
}

/** Whether a string literal of the document or a variable value holds a NUL character. */
export function hasNulCharacter(document: DocumentNode, variables: Record<string, unknown> | undefined): boolean {
  return valueHasNul(variables) || documentHasNul(document);
}

// The execution timeout's error, set on an operation's context when its time is up. Apollo gives
// each operation its own context object (a copy, batched operations too).
const TIMED_OUT = Symbol('sellergate.executionTimedOut');

const guardedSchemas = new WeakSet<GraphQLSchema>();

/**
 * Wraps each field resolver of the schema once (not per request): a field that starts after its
 * operation's execution timeout is refused with the timeout's error instead of running. One
 * property read per field, where a `willResolveField` hook would make Apollo dispatch every
 * field through its plugin machinery on every request.
 */
function guardFieldResolvers(schema: GraphQLSchema): void {
  if (guardedSchemas.has(schema)) return;
  guardedSchemas.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(type instanceof GraphQLObjectType)) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: Record<symbol, unknown> | undefined, info) => {
        const timedOut = context?.[TIMED_OUT];
        if (timedOut) throw timedOut;
        return resolve(source, args, context, info);
      };
    }
  }
}

const SUGGESTION = /\s*Did you mean [^?]*\?/g;

function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

function setCode(error: GraphQLError, code: string, message: string, extra: Record<string, unknown>): void {
  // Apollo wraps parse errors in its own class; the code and message are rewritten in place so
  // every later step (formatting, the audit record) sees ours.
  Object.assign(error.extensions as Record<string, unknown>, { ...extra, code });
  error.message = message;
}

/** HTTP status of a whole-operation refusal whose error does not carry one. */
const REFUSAL_STATUS: Record<string, number> = {
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.PURPOSE_REQUIRED]: 400,
  [ErrorCode.QUERY_TOO_COMPLEX]: 400,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.PURPOSE_NOT_GRANTED]: 403,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.SUSPENDED]: 403,
  [ErrorCode.PERSISTED_QUERY_REQUIRED]: 403,
  [ErrorCode.RATE_LIMITED]: 429,
};

function errorCodes(request: GraphQLRequestContext<RequestContext>): string[] {
  const body = request.response.body;
  const errors = body?.kind === 'single' ? body.singleResult.errors : body?.initialResult.errors;
  return (errors ?? []).map((error) => String(error.extensions?.code ?? ''));
}

export function securityPlugin(options: SecurityPluginOptions): ApolloServerPlugin<RequestContext> {
  const { limits } = options;
  const report = options.onError ?? (() => {});
  return {
    async serverWillStart() {
      return {
        schemaDidLoadOrUpdate({ apiSchema }) {
          if (limits.executionTimeoutMs > 0) guardFieldResolvers(apiSchema);
        },
      };
    },
    async requestDidStart() {
      let timedOut: GraphQLError | null = null;
      let executed = false;
      return {
        async didResolveOperation(request) {
          const ctx = request.contextValue;
          const principal = ctx.principal;
          // Synchronous checks first: a refusal thrown before any await wins over governance's.
          if (principal && !ctx.authError) {
            const suspension = options.suspensionOf(principal);
            if (suspension) throw suspendedError(suspension);
            if (request.operation && isIntrospection(request.document, request.operation) && !options.mayIntrospect(principal, ctx.policy)) {
              throw new GraphQLError('Introspection is not allowed for this principal', {
                extensions: { code: ErrorCode.FORBIDDEN, coordinate: 'Query.__schema', http: { status: 403 } },
              });
            }
          }
          if (hasNulCharacter(request.document, request.request.variables)) {
            // PostgreSQL text cannot hold NUL: refuse it as input rather than fail in the database.
            throw new GraphQLError('String arguments and variables may not contain NUL (\\u0000) characters', {
              extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } },
            });
          }
          const refusal = checkOperationLimits(request.schema, request.document, request.operationName, request.request.variables, limits);
          if (refusal) throw refusal;
          if (!principal || ctx.authError) return;
          if (options.rateLimiter) {
            const taken = await options.rateLimiter.takeForPrincipal(principal.kind, principal.id);
            if (!taken.allowed) {
              throw new GraphQLError(`Rate limit exceeded for this principal: retry after ${taken.retryAfterSeconds} s (RATE_LIMIT_PER_MINUTE, RATE_LIMIT_BURST)`, {
                extensions: {
                  code: ErrorCode.RATE_LIMITED,
                  retryAfterSeconds: taken.retryAfterSeconds,
                  http: { status: 429, headers: new HeaderMap([['retry-after', String(taken.retryAfterSeconds)]]) },
                },
              });
            }
          }
          if (options.persisted && principal.kind === 'token' && principal.partner) {
            const hash = request.queryHash;
            if (!hash || !(await options.persisted.isRegistered(principal.id, hash))) {
              throw new GraphQLError('This token may run only the operations registered for it (persisted operations); this document is not one of them', {
                extensions: { code: ErrorCode.PERSISTED_QUERY_REQUIRED, documentHash: hash ?? null, http: { status: 403 } },
              });
            }
          }
        },
        async executionDidStart(request) {
          executed = true;
          if (limits.executionTimeoutMs <= 0) return;
          const context = request.contextValue as unknown as Record<symbol, unknown>;
          const timer = setTimeout(() => {
            timedOut = limitExceeded('executionTimeoutMs', limits.executionTimeoutMs, null);
            // Fields not yet started are refused from now on (no new database work): see guardFieldResolvers.
            context[TIMED_OUT] = timedOut;
          }, limits.executionTimeoutMs);
          timer.unref();
          return {
            async executionDidEnd() {
              clearTimeout(timer);
            },
          };
        },
        async didEncounterErrors(request) {
          const hide = !options.mayIntrospect(request.contextValue?.authError ? null : (request.contextValue?.principal ?? null), request.contextValue?.policy);
          const errors = request.errors as GraphQLError[];
          // A refused operation is a client error, not Apollo's default 500.
          const status = REFUSAL_STATUS[String(errors[0]?.extensions?.code)];
          if (!executed && status && !request.response.http.status) request.response.http.status = status;
          let timeouts = 0;
          for (let index = errors.length - 1; index >= 0; index -= 1) {
            const error = errors[index];
            if (isTokenLimitError(error)) {
              setCode(error, ErrorCode.QUERY_TOO_COMPLEX, limitExceeded('tokens', limits.tokens, null).message, { limit: LIMIT_KEYS.tokens, max: limits.tokens });
            }
            if (hide && SUGGESTION.test(error.message)) error.message = withoutSuggestions(error.message);
            SUGGESTION.lastIndex = 0;
            // One timeout error per operation, not one per unfinished field.
            if (timedOut && (error.originalError === timedOut || error === timedOut)) {
              timeouts += 1;
              if (timeouts > 1) errors.splice(index, 1);
            }
          }
        },
        async willSendResponse(request) {
          const ctx = request.contextValue;
          if (!options.detector || !ctx?.principal || ctx.authError) return;
          const codes = errorCodes(request);
          if (codes.includes(ErrorCode.SUSPENDED)) return;
          const rows = Object.values(ctx.governance?.rowsByCategory ?? {}).reduce<number>((sum, count) => sum + (count ?? 0), 0);
          const denied = (ctx.governance?.denied.size ?? 0) > 0 || codes.includes(ErrorCode.FORBIDDEN) || codes.includes(ErrorCode.PURPOSE_NOT_GRANTED);
          try {
            await options.detector.observeOperation({
              requestId: ctx.requestId,
              principal: { id: ctx.principal.id, kind: ctx.principal.kind, role: ctx.principal.role },
              denied,
              rows,
            });
          } catch (error) {
            report(error, 'suspicious-activity rules');
          }
        },
      };
    },
  };
}
