// The admission pipeline on GraphQL (Apollo Server plugin). The request context was built by
// `Admission.admit` (the request's own steps); here, per operation: refuse with the context's
// refusal, run the operation's checks (src/admission/operation-checks.ts), answer from the
// operation's plan when it has one (src/execution/planned-executor.ts), then, after execution
// (field decisions are graphql-shield's and the masks', src/policy/govern-schema.ts), add
// `extensions.governance` and write the operation's one audit record. Fail-closed: the response
// waits for the record's commit; if it cannot be written, the data is withheld (HTTP 503).
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse, GraphQLResponse } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { execute, GraphQLError, type DocumentNode, type FormattedExecutionResult, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { ApiCallLogger } from '../audit/api-call.logger';
import { classifyOutcome } from '../audit/audit-outcome';
import { sha256Hex } from '../audit/canonical';
import { redactVariables } from '../audit/redact';
import type { RequestContext } from '../context';
import { ErrorCode } from '../errors';
import type { Policy } from '../policy/policy';
import { principalView } from '../policy/principal-view';
import { AuditWaitExceededError } from '../audit/audit.writer';
import { DEADLINE_MESSAGE, deadlineExceeded, type Admission, type RequestFacts } from './admission';
import { checkOperation, type OperationCheckOptions } from './operation-checks';
import { operationFacts, type OperationFacts } from './operation-facts';
import type { PlannedExecution } from '../execution/planned-executor';
import type { KnownOperations } from './known-operations';

export const AUDIT_WRITE_FAILED_MESSAGE = 'The audit record of this operation could not be written, so its data is withheld; try again later';

export interface GraphqlAdmissionOptions extends OperationCheckOptions {
  /** The policy a schema was governed by (a policy change swaps schemas between requests). */
  policyOf?: (schema: GraphQLSchema) => Policy | undefined;
  /** Notified of each operation, so the API call log can name it. */
  apiCalls?: ApiCallLogger;
  /** Told when a record could not be written (logs, metrics); the response is withheld anyway. */
  onWriteError?: (error: unknown, requestId: string) => void;
  /**
   * Introspection is answered from the principal's view of the schema (src/policy/principal-view.ts):
   * what it can never read is marked. On for the governed gateway schema.
   */
  principalViews?: boolean;
  /** Answers the operations that have a plan (src/execution/planned-executor.ts); the others run on graphql-js. */
  plannedExecution?: PlannedExecution | null;
  /**
   * Documents Apollo Server has parsed and validated, remembered here, so that their planned
   * operations can be answered without its pipeline (src/admission/known-operations.ts).
   */
  knownOperations?: KnownOperations | null;
}

/** One operation and its answer, as its audit record and `extensions.governance` see it (on any path that answers it). */
export interface AnsweredOperation {
  ctx: RequestContext;
  /** The answer, changed in place (extensions, a withheld answer). */
  response: GraphQLResponse;
  schema: GraphQLSchema | undefined;
  document: DocumentNode | undefined;
  operation: OperationDefinitionNode | undefined;
  /** The operation's own name, once resolved; else the name the request gave. */
  operationName: string | null | undefined;
  /** The document's text. */
  source: string | undefined;
  /** SHA-256 (hex) of `source`. */
  queryHash: string | undefined;
  variables: Record<string, unknown> | undefined;
  extensions: Record<string, unknown> | undefined;
}

/** An operation Apollo Server answered, as its request context has it. */
export function answeredByApollo(request: GraphQLRequestContextWillSendResponse<RequestContext>): AnsweredOperation {
  return {
    ctx: request.contextValue,
    response: request.response,
    schema: request.schema,
    document: request.document,
    operation: request.operation,
    operationName: request.operationName ?? request.request.operationName ?? null,
    source: request.source ?? request.request.query,
    // Apollo's `queryHash` is the SHA-256 (hex) of the source it parsed (verified against the
    // persisted-query hash when one is sent).
    queryHash: request.queryHash,
    variables: request.request.variables,
    extensions: request.request.extensions,
  };
}

function errorCodes(errors: readonly GraphQLFormattedError[] | undefined): string[] {
  return (errors ?? []).map((error) => String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR));
}

function deniedFromErrors(errors: readonly GraphQLFormattedError[] | undefined): string[] {
  return (errors ?? [])
    .filter((error) => error.extensions?.code === ErrorCode.FORBIDDEN && typeof error.extensions?.coordinate === 'string')
    .map((error) => error.extensions!.coordinate as string);
}

function resultOf(response: GraphQLResponse) {
  const body = response.body;
  if (!body) return { data: undefined, errors: undefined };
  return body.kind === 'single' ? body.singleResult : body.initialResult;
}

/** The facts of an operation's audit record. */
export function operationRecordFacts(answered: AnsweredOperation, executed: boolean): RequestFacts {
  const { data, errors } = resultOf(answered.response);
  const codes = errorCodes(errors);
  const { ctx, schema, document, operation } = answered;
  const denied = [...ctx.governance.denied, ...deniedFromErrors(errors)];
  const hasData = !!data && Object.values(data).some((value) => value !== null && value !== undefined);
  const facts: OperationFacts | null = document && operation && schema ? operationFacts(schema, document, operation) : null;
  const source = answered.source ?? null;
  return {
    operationType: operation?.operation ?? null,
    operationName: answered.operationName ?? null,
    // Not hashed a second time when the hash is known.
    documentHash: source ? (answered.queryHash ?? sha256Hex(source)) : null,
    document: source ? (facts?.redactedDocument ?? null) : undefined,
    variables: redactVariables(answered.variables, schema, operation ?? null),
    // The document's own (cached, never modified) lists: the record is built from them as they are.
    fields: (facts?.fields ?? []) as string[],
    categories: (facts?.categories ?? []) as string[],
    denied,
    outcome: classifyOutcome({ errorCodes: codes, executed, hasData, denied }),
    errorCodes: codes,
    returnedNoData: data === null || data === undefined,
  };
}

/** A response that takes the place of Apollo Server's execution (`responseForOperation`). */
function singleResponse(singleResult: FormattedExecutionResult): GraphQLResponse {
  return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult } };
}

/** Replaces the answer by a 503 UNAVAILABLE without data. */
function withhold(response: GraphQLResponse, message: string, reason: string): void {
  response.body = { kind: 'single', singleResult: { data: null, errors: [{ message, extensions: { code: ErrorCode.UNAVAILABLE, reason } }] } };
  response.http.status = 503;
  response.http.headers.set('retry-after', '1');
}

/** Replaces an answer that carries an UNAVAILABLE error by a 503 without data. */
function withholdIfUnavailable(response: GraphQLResponse): void {
  const { errors } = resultOf(response);
  const failure = errors?.find((error) => error.extensions?.code === ErrorCode.UNAVAILABLE);
  if (!failure) return;
  const reason = failure.extensions?.reason;
  response.body = { kind: 'single', singleResult: { data: null, errors: [{ message: failure.message, extensions: { code: ErrorCode.UNAVAILABLE, ...(typeof reason === 'string' ? { reason } : {}) } }] } };
  response.http.status = 503;
  response.http.headers.set('retry-after', '1');
}

/**
 * The end of every operation the gateway answers (Apollo Server's `willSendResponse`, and planned
 * answers of known documents): infrastructure failures and a passed deadline withhold the answer,
 * `extensions.governance` is added, the API call log is told, and the operation's one audit
 * record is written; if it cannot be, the data is withheld (HTTP 503).
 */
export async function finishOperation(admission: Admission, options: GraphqlAdmissionOptions, answered: AnsweredOperation, executed: boolean): Promise<void> {
  const { ctx, response } = answered;
  // An infrastructure failure anywhere in the operation (a terminated connection, a timeout):
  // nothing of it is served, the whole answer is 503 UNAVAILABLE.
  withholdIfUnavailable(response);
  // Past the request deadline: nothing is served, whatever execution produced.
  if (admission.pastDeadline(ctx) && response.http.status !== 503) withhold(response, deadlineExceeded().message, 'DEADLINE_EXCEEDED');
  const body = response.body;
  if (body.kind === 'single') {
    const governance: Record<string, unknown> = {
      policyVersion: ctx.policy.version,
      purpose: ctx.purpose,
      // Root fields that declared their own purpose (`@purpose`): each root field's purpose.
      ...(ctx.rootPurposes ? { rootPurposes: Object.fromEntries(ctx.rootPurposes) } : {}),
      masked: [...ctx.governance.masked].sort(),
      denied: [...ctx.governance.denied].sort(),
    };
    if (ctx.governance.suppressedGroups > 0) governance.suppressedGroups = ctx.governance.suppressedGroups;
    // Asked for by the request (`extensions.governancePaths: true`, as GraphiQL does): where masked values are.
    if (answered.extensions?.governancePaths === true) governance.maskedPaths = ctx.governance.maskedPaths;
    body.singleResult.extensions = { ...body.singleResult.extensions, governance };
  }
  const facts = operationRecordFacts(answered, executed);
  options.apiCalls?.noteOperation(ctx.requestId, {
    principalId: ctx.principal?.id ?? null,
    accountId: ctx.principal?.accounts?.length === 1 ? ctx.principal.accounts[0] : null,
    operationName: facts.operationName ?? null,
    errorCode: facts.errorCodes[0] ?? null,
  });
  try {
    await admission.record(ctx, facts);
  } catch (error) {
    options.onWriteError?.(error, ctx.requestId);
    if (error instanceof AuditWaitExceededError) withhold(response, DEADLINE_MESSAGE, 'DEADLINE_EXCEEDED');
    else withhold(response, AUDIT_WRITE_FAILED_MESSAGE, 'AUDIT_WRITE_FAILED');
  }
}

function policyChanged(): GraphQLError {
  return new GraphQLError('The access policy changed while this request started: send it again', {
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, reason: 'POLICY_CHANGED', http: { status: 503, headers: new Map([['retry-after', '0']]) } },
  });
}

export function graphqlAdmissionPlugin(admission: Admission, options: GraphqlAdmissionOptions): ApolloServerPlugin<RequestContext> {
  return {
    // Last resort. What Apollo rejects before any operation exists (a possible CSRF, a wrong
    // method, `variables` not an object) is refused by the `/graphql` entry first, by Apollo's own
    // rules, through admission and with a complete record (src/server/graphql-entry.ts
    // `apolloRefusal`). Should Apollo still reject a request here, no context is available, but
    // the request is recorded all the same.
    async invalidRequestWasReceived({ error }) {
      const code = String((error as { extensions?: { code?: unknown } }).extensions?.code ?? 'BAD_REQUEST');
      try {
        await admission.recordTransportRefusal({ requestId: 'unknown', code, ip: null, userAgent: null });
      } catch (writeError) {
        options.onWriteError?.(writeError, 'unknown');
      }
    },
    async requestDidStart({ schema, contextValue: ctx }) {
      let executed = false;
      // The schema is governed by one policy; the context was admitted under the one in force
      // then. They differ only when a policy change lands between the two (a request is never
      // served under a mix of two policies). A version label names one content only.
      const bound = options.policyOf?.(schema);
      const mismatch = bound !== undefined && bound.version !== ctx.policy.version;
      return {
        async didResolveOperation(request) {
          if (ctx.refusal) throw ctx.refusal;
          if (mismatch) throw policyChanged();
          if (!request.operation) return;
          // Parsed and validated by Apollo Server against this schema: its planned operations can
          // be answered without the pipeline from now on (src/admission/known-operations.ts).
          if (bound !== undefined && request.source !== undefined && request.queryHash) options.knownOperations?.remember(request.schema, request.source, request.document, request.queryHash);
          await checkOperation(
            ctx,
            {
              schema: request.schema,
              document: request.document,
              operation: request.operation,
              operationName: request.operationName,
              variables: request.request.variables,
              documentHash: request.queryHash,
            },
            options,
          );
        },
        // An introspection-only operation (GraphiQL's, a code generator's) is answered from the
        // principal's view: the same types and fields, marked where it can never read them. An
        // operation with a plan is answered from it. Both only after the checks above passed.
        async responseForOperation(request) {
          if (!request.operation) return null;
          // Only on the gateway's own governed schema (`bound`), not on a federated supergraph.
          if (options.principalViews && bound !== undefined && ctx.principal && operationFacts(request.schema, request.document, request.operation).introspectionOnly) {
            executed = true;
            const result = await execute({
              schema: principalView(request.schema, ctx.policy, ctx.principal),
              document: request.document,
              operationName: request.operationName,
              variableValues: request.request.variables,
              contextValue: ctx,
            });
            return singleResponse({ data: result.data, ...(result.errors ? { errors: result.errors.map((error) => error.toJSON()) } : {}) });
          }
          // A plan already declined for this context (src/admission/known-operations.ts) is not run again.
          if (!options.plannedExecution || options.knownOperations?.planDeclined(ctx)) return null;
          const planned = await options.plannedExecution({ schema: request.schema, document: request.document, operation: request.operation, variables: request.request.variables, ctx });
          if (!planned) return null;
          executed = true;
          return singleResponse(planned);
        },
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse(request) {
          await finishOperation(admission, options, answeredByApollo(request), executed);
        },
      };
    },
  };
}
