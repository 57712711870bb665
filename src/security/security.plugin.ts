// The security plugin, after admission (src/admission, which refuses suspended, rate-limited and
// over-limit operations): the execution timeout, HTTP statuses of refusals, no "Did you mean"
// suggestions for principals that may not introspect, and each operation's outcome fed to the
// suspicious-activity rules.
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { defaultFieldResolver, GraphQLError, GraphQLObjectType, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Principal } from '../auth/principal';
import type { Policy } from '../policy/policy';
import type { RequestContext } from '../context';
import { ErrorCode } from '../errors';
import { isTokenLimitError, LIMIT_KEYS, limitExceeded, type OperationLimits } from './limits';
import type { SuspiciousActivityDetector } from './suspicious-activity';

export interface SecurityPluginOptions {
  limits: OperationLimits;
  /** Whether the principal may introspect under the request's policy (ctx.policy). */
  mayIntrospect(principal: Principal | null, policy?: Policy): boolean;
  detector: SuspiciousActivityDetector | null;
  onError?: (error: unknown, what: string) => void;
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

/** The errors of an answer (the first part of an incremental one). */
function answerErrors(request: GraphQLRequestContext<RequestContext>): readonly GraphQLFormattedError[] | undefined {
  const body = request.response.body;
  return body?.kind === 'single' ? body.singleResult.errors : body?.initialResult.errors;
}

/**
 * Feeds one operation's outcome to the suspicious-activity rules: after its answer is decided, on
 * every path that answers an operation (Apollo Server's, and planned answers of known documents).
 */
export async function observeOperationOutcome(
  detector: SuspiciousActivityDetector | null,
  ctx: RequestContext | undefined,
  errors: readonly GraphQLFormattedError[] | undefined,
  report: (error: unknown, what: string) => void,
): Promise<void> {
  // An unauthenticated request has no principal to watch; a refused one (a purpose not granted,
  // say) still counts for the suspicious-activity rules.
  if (!detector || !ctx?.principal) return;
  const codes = (errors ?? []).map((error) => String(error.extensions?.code ?? ''));
  if (codes.includes(ErrorCode.SUSPENDED)) return;
  const rows = Object.values(ctx.governance?.rowsByCategory ?? {}).reduce<number>((sum, count) => sum + (count ?? 0), 0);
  const denied = (ctx.governance?.denied.size ?? 0) > 0 || codes.includes(ErrorCode.FORBIDDEN) || codes.includes(ErrorCode.PURPOSE_NOT_GRANTED);
  try {
    await detector.observeOperation({
      requestId: ctx.requestId,
      principal: { id: ctx.principal.id, kind: ctx.principal.kind, role: ctx.principal.role },
      denied,
      rows,
    });
  } catch (error) {
    report(error, 'suspicious-activity rules');
  }
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
          const hide = !options.mayIntrospect(request.contextValue?.refusal ? null : (request.contextValue?.principal ?? null), request.contextValue?.policy);
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
          await observeOperationOutcome(options.detector, request.contextValue, answerErrors(request), report);
        },
      };
    },
  };
}
