// Planned answers without Apollo Server's request pipeline. A `/graphql` POST whose document Apollo
// Server has already parsed and validated against the schema in force (remembered by the
// admission plugin, `remember`), whose operation is a query with a plan for the caller
// (src/execution/planned-executor.ts), is answered here: admitted by the same call Apollo's
// context would make (`admit`), checked by the same operation checks, answered from the plan, and
// finished by the same function as Apollo's `willSendResponse` (`finishOperation`: deadline,
// `extensions.governance`, API call log, the one audit record, withheld when it cannot be
// written), then told to the suspicious-activity rules and the metrics as Apollo's plugins would.
//
// Everything else goes to Apollo Server: a document not seen yet, a batch, a GET, an
// `extensions` other than `governancePaths` (an automatic persisted query), an `Accept` that
// does not choose `application/json`, a mutation, introspection. Once the request is admitted
// here, whatever is not answered from the plan (a refusal, a failed check, no plan for this
// principal, a plan that could not answer) is handed to Apollo Server with the same request
// context (`handoff`): never admitted twice, so never counted twice by the rate limits. Apollo
// then runs its checks again (they are pure but for a persisted-operation lookup) and answers
// with its own errors; a plan this path ran is not run again there (`planDeclined`).
//
// Why: Apollo Server's pipeline (document hash, hook dispatch, its request and response objects)
// costs about as much CPU per request as the whole answer of a small planned query
// (docs/benchmarks.md, `npm run bench:http-floor`).
import { HeaderMap, type GraphQLResponse } from '@apollo/server';
import { getOperationAST, type DocumentNode, type FormattedExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import Negotiator from 'negotiator';
import type { RequestContext } from '../context';
import type { PlannedExecution } from '../execution/planned-executor';
import type { Admission } from './admission';
import { finishOperation, type GraphqlAdmissionOptions } from './graphql-admission.plugin';
import { checkOperation } from './operation-checks';
import { operationFacts } from './operation-facts';

/** A document Apollo Server parsed and validated against one schema. */
interface KnownDocument {
  document: DocumentNode;
  /** SHA-256 (hex) of its text, as Apollo Server computed it. */
  queryHash: string;
}

/** A `/graphql` POST of one operation, after the entry's own checks. */
export interface KnownOperationRequest {
  body: Record<string, unknown>;
  header(name: string): string | undefined;
  /** Admits the request: the same call Apollo Server's context function makes. */
  admit(): Promise<RequestContext>;
}

/** An answer made here: what the entry writes. */
export interface KnownOperationAnswer {
  kind: 'answered';
  ctx: RequestContext;
  status: number;
  headers: HeaderMap;
  /** The answer's JSON, as Apollo Server would have written it. */
  body: string;
  operationName: string | null;
  result: FormattedExecutionResult;
}

/**
 * null: not an operation answered here, Apollo Server serves the request (admission included).
 * `handoff`: admitted here, Apollo Server serves it with this context.
 */
export type KnownOperationOutcome = null | { kind: 'handoff'; ctx: RequestContext } | KnownOperationAnswer;

export interface KnownOperationsOptions extends GraphqlAdmissionOptions {
  /** The schema Apollo Server serves now (the governed schema of the policy in force). */
  currentSchema(): GraphQLSchema;
  /** The operations that have a plan. */
  plannedExecution: PlannedExecution;
  /** Told of each operation answered here, as the security plugin is by Apollo Server. */
  observeOperation?: (ctx: RequestContext, errors: readonly GraphQLFormattedError[] | undefined) => Promise<void>;
  /** Most documents remembered per schema (default 1,000); the oldest is forgotten first. */
  maxDocuments?: number;
}

/** Requests answered here from a plan, and requests admitted here then handed to Apollo Server (for tests and the benchmark). */
export const knownOperationCounts = { answered: 0, handedOff: 0 };

function handoff(ctx: RequestContext): KnownOperationOutcome {
  knownOperationCounts.handedOff += 1;
  return { kind: 'handoff', ctx };
}

/** Apollo Server's single-result JSON type when the client accepts it (`chooseContentTypeForSingleResultResponse`). */
const APPLICATION_JSON = 'application/json; charset=utf-8';
const SINGLE_RESULT_TYPES = [APPLICATION_JSON, 'application/graphql-response+json; charset=utf-8', 'application/json; callback=graphql; charset=utf-8'];
const MAX_REMEMBERED_ACCEPTS = 64;

export class KnownOperations {
  private readonly documents = new WeakMap<GraphQLSchema, Map<string, KnownDocument>>();
  private readonly declined = new WeakSet<RequestContext>();
  private readonly accepts = new Map<string, boolean>();
  private readonly maxDocuments: number;

  constructor(
    private readonly admission: Admission,
    private readonly options: KnownOperationsOptions,
  ) {
    this.maxDocuments = options.maxDocuments ?? 1_000;
  }

  /** Remembers a document Apollo Server parsed and validated against `schema`. */
  remember(schema: GraphQLSchema, source: string, document: DocumentNode, queryHash: string): void {
    let documents = this.documents.get(schema);
    if (!documents) {
      documents = new Map();
      this.documents.set(schema, documents);
    }
    if (documents.has(source)) return;
    if (documents.size >= this.maxDocuments) documents.delete(documents.keys().next().value as string);
    documents.set(source, { document, queryHash });
  }

  /** Whether the plan of this request was run here and did not answer (Apollo Server must not run it again). */
  planDeclined(ctx: RequestContext): boolean {
    return this.declined.has(ctx);
  }

  /** Whether Apollo Server would answer a single result as `application/json` to this `Accept`. */
  private acceptsJson(accept: string | undefined): boolean {
    if (!accept) return true;
    let accepted = this.accepts.get(accept);
    if (accepted === undefined) {
      accepted = new Negotiator({ headers: { accept } }).mediaType(SINGLE_RESULT_TYPES) === APPLICATION_JSON;
      if (this.accepts.size < MAX_REMEMBERED_ACCEPTS && accept.length <= 200) this.accepts.set(accept, accepted);
    }
    return accepted;
  }

  /** Answers a request from its plan, hands it to Apollo Server admitted, or leaves it to Apollo Server (null). */
  async answer(request: KnownOperationRequest): Promise<KnownOperationOutcome> {
    const { body } = request;
    const source = body.query;
    if (typeof source !== 'string') return null;
    const extensions = body.extensions;
    if (extensions !== undefined && extensions !== null && Object.keys(extensions).some((key) => key !== 'governancePaths')) return null;
    if (!this.acceptsJson(request.header('accept'))) return null;
    const schema = this.options.currentSchema();
    const known = this.documents.get(schema)?.get(source);
    if (!known) return null;
    const requestedName = typeof body.operationName === 'string' ? body.operationName : null;
    const { document } = known;
    const operation = getOperationAST(document, requestedName);
    if (!operation || operation.operation !== 'query' || operationFacts(schema, document, operation).introspectionOnly) return null;

    const ctx = await request.admit();
    const bound = this.options.policyOf?.(schema);
    if (ctx.refusal || bound === undefined || bound.version !== ctx.policy.version) return handoff(ctx);
    const variables = (body.variables ?? undefined) as Record<string, unknown> | undefined;
    const operationName = operation.name?.value ?? null;
    try {
      await checkOperation(ctx, { schema, document, operation, operationName, variables, documentHash: known.queryHash }, this.options);
    } catch {
      // Apollo Server runs the same checks and answers the refusal as it always does.
      return handoff(ctx);
    }
    let planned: FormattedExecutionResult | null;
    try {
      planned = await this.options.plannedExecution({ schema, document, operation, variables, ctx });
    } catch {
      // A failure the plan does not answer itself (the database away): graphql-js meets it again
      // and answers it as every other operation's (503, recorded).
      planned = null;
    }
    if (!planned) {
      this.declined.add(ctx);
      return handoff(ctx);
    }
    const response: GraphQLResponse = { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: planned } };
    await finishOperation(
      this.admission,
      this.options,
      { ctx, response, schema, document, operation, operationName, source, queryHash: known.queryHash, variables, extensions: (extensions ?? undefined) as Record<string, unknown> | undefined },
      true,
    );
    const result = response.body.kind === 'single' ? response.body.singleResult : planned;
    await this.options.observeOperation?.(ctx, result.errors);
    const headers = response.http.headers;
    headers.set('content-type', APPLICATION_JSON);
    // Apollo Server's field order (`orderExecutionResultFields`) and its trailing newline.
    const ordered = { errors: result.errors, data: result.data, extensions: result.extensions };
    knownOperationCounts.answered += 1;
    return { kind: 'answered', ctx, status: response.http.status ?? 200, headers, body: `${JSON.stringify(ordered)}\n`, operationName, result };
  }
}
