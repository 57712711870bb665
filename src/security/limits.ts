// Operation limits, checked before execution: depth, aliases and directives (graphql-armor's
// rules), cost (graphql-query-complexity; list fields multiply their selection by `first`),
// tokens (graphql-js's parser), document size and batch size (HTTP, see http-limits.ts). Each
// refusal names the limit, its configuration key, the limit's value and what was found.
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNullableType,
  GraphQLError,
  isListType,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Config } from '../config';
import { ErrorCode } from '../errors';

/** The limits in force (from the configuration; 0 switches one off). */
export interface OperationLimits {
  depth: number;
  cost: number;
  aliases: number;
  directives: number;
  tokens: number;
  documentBytes: number;
  batchOperations: number;
  executionTimeoutMs: number;
  defaultPageSize: number;
  maxPageSize: number;
  /** Depth of an introspection-only operation, introspection fields counted (0: off). */
  introspectionDepth: number;
  /** Cost of an introspection-only operation (0: off); the data cost limit does not apply to it. */
  introspectionCost: number;
}

export function limitsFromConfig(config: Config): OperationLimits {
  return {
    depth: config.MAX_QUERY_DEPTH,
    cost: config.MAX_QUERY_COST,
    aliases: config.MAX_ALIASES,
    directives: config.MAX_DIRECTIVES,
    tokens: config.MAX_TOKENS,
    documentBytes: config.MAX_DOCUMENT_BYTES,
    batchOperations: config.MAX_BATCH_OPERATIONS,
    executionTimeoutMs: config.EXECUTION_TIMEOUT_MS,
    defaultPageSize: config.DEFAULT_PAGE_SIZE,
    maxPageSize: config.MAX_PAGE_SIZE,
    introspectionDepth: config.MAX_INTROSPECTION_DEPTH,
    introspectionCost: config.MAX_INTROSPECTION_COST,
  };
}

/** Configuration key of each limit (named in every refusal, so operators know what to raise). */
export const LIMIT_KEYS = {
  depth: 'MAX_QUERY_DEPTH',
  cost: 'MAX_QUERY_COST',
  aliases: 'MAX_ALIASES',
  directives: 'MAX_DIRECTIVES',
  tokens: 'MAX_TOKENS',
  documentBytes: 'MAX_DOCUMENT_BYTES',
  batchOperations: 'MAX_BATCH_OPERATIONS',
  executionTimeoutMs: 'EXECUTION_TIMEOUT_MS',
  introspectionDepth: 'MAX_INTROSPECTION_DEPTH',
  introspectionCost: 'MAX_INTROSPECTION_COST',
} as const;
export type LimitName = keyof typeof LIMIT_KEYS;

const LIMIT_WORDS: Record<LimitName, string> = {
  depth: 'depth',
  cost: 'cost',
  aliases: 'number of aliases',
  directives: 'number of directives',
  tokens: 'number of tokens',
  documentBytes: 'document size in bytes',
  batchOperations: 'number of operations in one request',
  executionTimeoutMs: 'execution time in milliseconds',
  introspectionDepth: 'introspection depth',
  introspectionCost: 'introspection cost',
};

/** The refusal of a limit: QUERY_TOO_COMPLEX (or BAD_USER_INPUT for what the request itself sent). */
export function limitExceeded(limit: LimitName, max: number, found: number | null, code: ErrorCode = ErrorCode.QUERY_TOO_COMPLEX): GraphQLError {
  const what = LIMIT_WORDS[limit];
  const foundText = found === null ? '' : ` is ${found},`;
  return new GraphQLError(`Operation refused: its ${what}${foundText} ${found === null ? 'is ' : ''}above the limit of ${max} (${LIMIT_KEYS[limit]})`, {
    extensions: { code, limit: LIMIT_KEYS[limit], max, found, http: { status: 400 } },
  });
}

/** Within a connection type, `nodes`/`edges` lists are already counted by the connection's `first`. */
function isConnectionType(name: string): boolean {
  return name.endsWith('Connection');
}

/** An unpaginated nested list (order items, groups) counts as this many elements. */
export const UNPAGINATED_LIST_FACTOR = 10;

/**
 * Cost estimator: each field costs 1 plus its selection; a field taking `first` multiplies its
 * selection by the page it asks for (the default page size when absent, the maximum at most); an
 * unpaginated list multiplies by UNPAGINATED_LIST_FACTOR.
 */
export function listCostEstimator(limits: Pick<OperationLimits, 'defaultPageSize' | 'maxPageSize'>): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    let factor = 1;
    if (field.args.some((arg) => arg.name === 'first')) {
      const first = typeof args.first === 'number' && args.first >= 0 ? args.first : limits.defaultPageSize;
      factor = Math.min(first, limits.maxPageSize);
    } else if (isListType(getNullableType(field.type)) && !isConnectionType(type.name)) {
      factor = UNPAGINATED_LIST_FACTOR;
    }
    return 1 + childComplexity * Math.max(factor, 1);
  };
}

/** The cost of the operation as the cost limit counts it. */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  limits: Pick<OperationLimits, 'defaultPageSize' | 'maxPageSize'>,
): number {
  return getComplexity({
    schema,
    query: document,
    operationName: operationName ?? undefined,
    variables: variables ?? {},
    estimators: [listCostEstimator(limits)],
  });
}

const FOUND = /found (\d+)/;

/** graphql-armor's rules, reporting to `found` instead of throwing. */
function armorRules(limits: OperationLimits, rejected: { limit: LimitName; found: number | null }[], introspection: boolean): ValidationRule[] {
  const report = (limit: LimitName) => (_context: ValidationContext | null, error: GraphQLError) => {
    const match = FOUND.exec(error.message);
    rejected.push({ limit, found: match ? Number(match[1]) : null });
  };
  const common = { exposeLimits: true, propagateOnRejection: false } as const;
  const rules: ValidationRule[] = [];
  // An introspection-only operation has its own depth limit, with the introspection fields counted
  // (a schema walk nested without end is refused); any other operation ignores them.
  if (introspection) {
    if (limits.introspectionDepth > 0) {
      rules.push(maxDepthRule({ ...common, n: limits.introspectionDepth, ignoreIntrospection: false, onReject: [report('introspectionDepth')] }) as unknown as ValidationRule);
    }
  } else if (limits.depth > 0) {
    rules.push(maxDepthRule({ ...common, n: limits.depth, ignoreIntrospection: true, onReject: [report('depth')] }) as unknown as ValidationRule);
  }
  if (limits.aliases > 0) rules.push(maxAliasesRule({ ...common, n: limits.aliases, allowList: [], onReject: [report('aliases')] }) as unknown as ValidationRule);
  if (limits.directives > 0) rules.push(maxDirectivesRule({ ...common, n: limits.directives, onReject: [report('directives')] }) as unknown as ValidationRule);
  return rules;
}

interface LimitVerdict {
  limit: LimitName;
  found: number | null;
}

/** Verdicts of one document under one schema and limits, by operation name and variables. */
interface DocumentVerdicts {
  schema: GraphQLSchema;
  limits: OperationLimits;
  byRequest: Map<string, LimitVerdict | null>;
}

/** Verdicts kept per document and variables; a document with more variants starts over. */
const MAX_VERDICTS_PER_DOCUMENT = 64;

// Apollo keeps parsed documents (its document store), so a repeated operation brings the same
// DocumentNode: its verdict is computed once, not on every request.
const verdicts = new WeakMap<DocumentNode, DocumentVerdicts>();

function computeVerdict(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  limits: OperationLimits,
  introspection: boolean,
): LimitVerdict | null {
  const rejected: { limit: LimitName; found: number | null }[] = [];
  const rules = armorRules(limits, rejected, introspection);
  if (rules.length > 0) validate(schema, document, rules);
  if (rejected.length > 0) return rejected[0];
  const costLimit: LimitName = introspection ? 'introspectionCost' : 'cost';
  if (limits[costLimit] > 0) {
    let cost: number;
    try {
      cost = operationCost(schema, document, operationName, variables, limits);
    } catch {
      // Variables that do not coerce: execution refuses them (BAD_USER_INPUT) before any resolver runs.
      return null;
    }
    if (cost > limits[costLimit]) return { limit: costLimit, found: cost };
  }
  return null;
}

/**
 * Checks a parsed and validated operation against the depth, alias, directive and cost limits;
 * returns the first refusal, or null. The verdict depends only on the schema, the document, the
 * operation name, the variables and the limits, and is kept for the next request with the same.
 * `introspection`: the operation selects only introspection fields (`__schema`, `__type`,
 * `__typename`) and its principal may introspect: it is held to the introspection depth and cost
 * limits instead of the data ones (the standard introspection query of GraphiQL and code
 * generators costs more than any reasonable data limit); aliases and directives count as always.
 */
export function checkOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  limits: OperationLimits,
  introspection = false,
): GraphQLError | null {
  let cached = verdicts.get(document);
  if (!cached || cached.schema !== schema || cached.limits !== limits) {
    cached = { schema, limits, byRequest: new Map() };
    verdicts.set(document, cached);
  }
  const key = `${introspection ? 'i' : 'd'}${operationName ?? ''}\u0000${variables === undefined ? '' : JSON.stringify(variables)}`;
  let verdict = cached.byRequest.get(key);
  if (verdict === undefined) {
    verdict = computeVerdict(schema, document, operationName, variables, limits, introspection);
    if (cached.byRequest.size >= MAX_VERDICTS_PER_DOCUMENT) cached.byRequest.clear();
    cached.byRequest.set(key, verdict);
  }
  return verdict ? limitExceeded(verdict.limit, limits[verdict.limit], verdict.found) : null;
}

// graphql-js words it "more that N tokens" in some versions.
const TOKEN_LIMIT_MESSAGE = /Document contains more tha[nt] (\d+) tokens/;

/** graphql-js's parser refusal of a document with too many tokens, if this is one. */
export function isTokenLimitError(error: GraphQLError): boolean {
  return TOKEN_LIMIT_MESSAGE.test(error.message);
}
