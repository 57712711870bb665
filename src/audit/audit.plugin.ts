// Apollo Server plugin: one audit record per GraphQL operation, whatever its outcome (batched
// HTTP requests run each operation through here, so each gets its own record). Fail-closed:
// the response waits for the record's commit; if it cannot be written, the data is withheld.
import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { DocumentNode, GraphQLFormattedError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { GovernanceRecorder, type RequestContext } from '../context';
import { ErrorCode } from '../errors';
import { isPurpose } from '../policy/taxonomy';
import type { ApiCallLogger } from './api-call.logger';
import type { AuditEntry } from './audit-entry';
import { classifyOutcome, REFUSAL_CODES } from './audit-outcome';
import type { AuditWriter } from './audit.writer';
import { sha256Hex } from './canonical';
import { selectedCoordinates, type Selection } from './coordinates';
import { redactDocument, redactVariables } from './redact';

export const AUDIT_WRITE_FAILED_MESSAGE = 'The audit record of this operation could not be written, so its data is withheld; try again later';

export interface AuditPluginOptions {
  /** Notified of each operation, so the API call log can name it (see ApiCallLogger). */
  apiCalls?: ApiCallLogger;
  /** Told when a record could not be written (logs, metrics); the response is withheld anyway. */
  onWriteError?: (error: unknown, requestId: string) => void;
  now?: () => Date;
}

function purposeOf(ctx: RequestContext): string | null {
  if (ctx.purpose) return ctx.purpose;
  const declared = ctx.declaredPurpose?.trim();
  if (!declared) return null;
  return isPurpose(declared) ? declared : '[unknown]';
}

function principalOf(ctx: RequestContext | undefined) {
  const principal = ctx?.principal;
  return {
    principalId: principal?.id ?? null,
    principalKind: principal?.kind ?? null,
    principalRole: principal?.role ?? null,
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

function resultOf(requestContext: GraphQLRequestContextWillSendResponse<RequestContext>) {
  const body = requestContext.response.body;
  if (!body) return { data: undefined, errors: undefined };
  return body.kind === 'single' ? body.singleResult : body.initialResult;
}

// Apollo hands the same parsed document to every request with the same text (its document
// cache), so each operation's selection is computed once per schema (a new policy builds a new
// schema), not on every request.
const selections = new WeakMap<OperationDefinitionNode, WeakMap<GraphQLSchema, Selection>>();

function selectionOf(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): Selection {
  let bySchema = selections.get(operation);
  if (!bySchema) selections.set(operation, (bySchema = new WeakMap()));
  let selection = bySchema.get(schema);
  if (!selection) bySchema.set(schema, (selection = selectedCoordinates(schema, document, operation)));
  return { fields: [...selection.fields], categories: [...selection.categories] };
}

/** Builds the audit entry of an operation from Apollo's request context and ours. */
export function auditEntryOf(
  requestContext: GraphQLRequestContextWillSendResponse<RequestContext>,
  facts: { executed: boolean; startedAt: number; now: Date },
): AuditEntry {
  const ctx = requestContext.contextValue;
  const { data, errors } = resultOf(requestContext);
  const codes = errorCodes(errors);
  const denied = [...(ctx.governance?.denied ?? []), ...deniedFromErrors(errors)];
  const hasData = !!data && Object.values(data).some((value) => value !== null && value !== undefined);
  const operation = requestContext.operation ?? null;
  const document = requestContext.document ?? null;
  const selection =
    document && operation && requestContext.schema ? selectionOf(requestContext.schema, document, operation) : { fields: [], categories: [] };
  const rowsByCategory = { ...(ctx.governance?.rowsByCategory ?? {}) } as Record<string, number>;
  const source = requestContext.source ?? requestContext.request.query ?? null;
  return {
    timestamp: facts.now,
    requestId: ctx.requestId,
    ...principalOf(ctx),
    purpose: purposeOf(ctx),
    clientName: ctx.http?.clientName ?? null,
    clientVersion: ctx.http?.clientVersion ?? null,
    sourceIp: ctx.http?.ip ?? null,
    userAgent: ctx.http?.userAgent ?? null,
    operationType: operation?.operation ?? null,
    operationName: requestContext.operationName ?? requestContext.request.operationName ?? null,
    documentHash: source ? sha256Hex(source) : null,
    document: source ? (document ? redactDocument(document) : null) : undefined,
    variables: redactVariables(requestContext.request.variables, requestContext.schema, operation),
    fields: selection.fields,
    categories: [...new Set([...selection.categories, ...Object.keys(rowsByCategory)])],
    masked: [...(ctx.governance?.masked ?? [])],
    denied,
    rowsByCategory,
    outcome: classifyOutcome({ errorCodes: codes, executed: facts.executed, hasData, denied }),
    errorCodes: codes,
    durationMs: performance.now() - facts.startedAt,
    policyVersion: ctx.policy?.version ?? null,
  };
}

/** The audit plugin; register it first so every other plugin's refusal is recorded. */
export function auditPlugin(writer: AuditWriter, options: AuditPluginOptions = {}): ApolloServerPlugin<RequestContext> {
  const now = options.now ?? (() => new Date());
  return {
    // Requests Apollo rejects before any operation exists (e.g. `variables` not an object): no
    // request id or context is available here, but the request is still counted and recorded.
    async invalidRequestWasReceived({ error }) {
      const code = String((error as { extensions?: { code?: unknown } }).extensions?.code ?? 'BAD_REQUEST');
      try {
        await recordHttpRefusal(writer, { requestId: 'unknown', code, ip: null, userAgent: null }, now());
      } catch (writeError) {
        options.onWriteError?.(writeError, 'unknown');
      }
    },
    async requestDidStart(start) {
      const startedAt = performance.now();
      // Each operation of a batch gets a shallow copy of the context: give it its own recorder
      // so masked/denied fields and row counts are attributed to the right operation.
      if (start.contextValue) start.contextValue.governance = new GovernanceRecorder();
      let executed = false;
      return {
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse(requestContext) {
          const ctx = requestContext.contextValue;
          const entry = auditEntryOf(requestContext, { executed, startedAt, now: now() });
          options.apiCalls?.noteOperation(ctx.requestId, {
            principalId: entry.principalId,
            accountId: ctx.principal?.accounts?.length === 1 ? ctx.principal.accounts[0] : null,
            operationName: entry.operationName,
            errorCode: entry.errorCodes[0] ?? null,
          });
          try {
            await writer.append(entry);
          } catch (error) {
            options.onWriteError?.(error, ctx.requestId);
            requestContext.response.body = {
              kind: 'single',
              singleResult: {
                data: null,
                errors: [{ message: AUDIT_WRITE_FAILED_MESSAGE, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, reason: 'AUDIT_WRITE_FAILED' } }],
              },
            };
            requestContext.response.http.status = 503;
          }
        },
      };
    },
  };
}

/** A request the server refused before GraphQL saw it (malformed JSON, body too large, ...). */
export interface HttpRefusalRecord {
  requestId: string;
  code: string;
  message?: string;
  ip: string | null;
  userAgent: string | null;
  /** Principal, when the refusal came after authentication. */
  principal?: { id: string; kind: string; role: string } | null;
  declaredPurpose?: string | null;
  policyVersion?: string | null;
  startedAt?: number;
}

/** Records a refused HTTP request; rejects when it cannot be written (refuse the request then). */
export async function recordHttpRefusal(writer: AuditWriter, refusal: HttpRefusalRecord, now: Date = new Date()): Promise<void> {
  const declared = refusal.declaredPurpose?.trim() ?? null;
  await writer.append({
    timestamp: now,
    requestId: refusal.requestId,
    principalId: refusal.principal?.id ?? null,
    principalKind: refusal.principal?.kind ?? null,
    principalRole: refusal.principal?.role ?? null,
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
    errorCodes: [refusal.code],
    durationMs: refusal.startedAt === undefined ? 0 : performance.now() - refusal.startedAt,
    policyVersion: refusal.policyVersion ?? null,
  });
}
