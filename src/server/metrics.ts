// Prometheus metrics (prom-client): request counts and durations by operation and outcome.
import type { ApolloServerPlugin, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { FormattedExecutionResult } from 'graphql';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditWriterStats } from '../audit/audit.writer';
import type { RequestContext } from '../context';
import { connectionErrors } from '../db/data-source';
import { ErrorCode } from '../errors';
import type { PolicySource } from '../policy/policy-holder';

export interface GatewayMetrics {
  registry: Registry;
  plugin: ApolloServerPlugin<RequestContext>;
  /** What `plugin` does when a response is sent, for a plugin that does more on that hook (the gateway's) and answers made outside Apollo Server. */
  observe(answer: ObservedAnswer, started: bigint): void;
}

/** An operation's answer, as the metrics count it. */
export interface ObservedAnswer {
  operationName: string | null | undefined;
  contextValue: RequestContext | undefined;
  /** The single result; undefined for an incremental answer. */
  result: FormattedExecutionResult | undefined;
}

/** The answer of an operation Apollo Server served. */
export function observedAnswerOf(request: GraphQLRequestContextWillSendResponse<RequestContext>): ObservedAnswer {
  return { operationName: request.operationName, contextValue: request.contextValue, result: request.response.body.kind === 'single' ? request.response.body.singleResult : undefined };
}

/** Outcome labels: the gateway's own codes; anything a client could choose or vary becomes `error`. */
const OUTCOME_CODES = new Set<string>([...Object.values(ErrorCode), 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND']);

export function outcomeOf(errorCodes: string[], hasData: boolean): string {
  if (errorCodes.length === 0) return 'ok';
  if (hasData && errorCodes.every((code) => code === 'FORBIDDEN')) return 'partial';
  return OUTCOME_CODES.has(errorCodes[0]) ? errorCodes[0].toLowerCase() : 'error';
}

/** Most distinct operation names labelled; later ones are counted as `other` (series stay bounded). */
export const MAX_OPERATION_LABELS = 200;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/**
 * The operation label of a request: its name when an admitted principal sent it (the first
 * MAX_OPERATION_LABELS names, well-formed), else a fixed word: callers cannot grow the series.
 */
export function operationLabeller(max = MAX_OPERATION_LABELS): (name: string | null | undefined, admitted: boolean) => string {
  const seen = new Set<string>();
  return (name, admitted) => {
    if (!admitted) return 'unadmitted';
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (seen.has(name)) return name;
    if (seen.size >= max) return 'other';
    seen.add(name);
    return name;
  };
}

/** What /metrics reads of the process's audit writer. */
export interface AuditWriterGauge {
  stats(): AuditWriterStats;
  /** How long the writer has made no progress (ms); 0 when idle. */
  stalledMs(): number;
}

/** Gauges read from the audit writer when /metrics is scraped (nothing is done per request). */
function auditGauges(registry: Registry, audit: AuditWriterGauge): void {
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  gauge('sellergate_audit_records_committed', 'Audit records this process committed since start', () => audit.stats().records);
  gauge(
    'sellergate_audit_batches_committed',
    'Audit batches (one statement and commit each) this process committed since start; records / batches is how many records share a commit',
    () => audit.stats().batches,
  );
  gauge(
    'sellergate_audit_batch_seconds',
    'Time from start to commit of the committed audit batches, summed since start; / batches is the mean time a batch takes, which every answer in it waits for',
    () => audit.stats().batchMs / 1000,
  );
  gauge('sellergate_audit_batches_failed', 'Audit batches that could not be written since start; the requests they held were refused (fail-closed)', () => audit.stats().failedBatches);
  gauge('sellergate_audit_stalled_seconds', 'How long the audit writer has made no progress (0 when idle); /readyz reports not ready past READY_TIMEOUT_MS', () => audit.stalledMs() / 1000);
}

/**
 * `policy`: the process's policy in force, exported as `sellergate_policy_info{version}` (1).
 * `audit`: the process's audit writer, its batches and commits.
 */
export function createMetrics(options: { policy?: PolicySource; redis?: { state(): string; fallbacks: number }; audit?: AuditWriterGauge | null } = {}): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const lostConnections = new Gauge({
    name: 'sellergate_database_connection_errors',
    help: 'Errors of pooled database connections (terminated backends, dropped sockets) since start; each such connection left the pool',
    registers: [registry],
    collect() {
      lostConnections.set(connectionErrors.count);
    },
  });
  const redis = options.redis;
  if (redis) {
    const open = new Gauge({
      name: 'sellergate_redis_breaker_open',
      help: 'Redis circuit breaker: 1 while open (Redis away: in-process rate limits, PostgreSQL change feed), 0 when closed',
      registers: [registry],
      collect() {
        open.set(redis.state() === 'closed' ? 0 : 1);
      },
    });
    const fallbacks = new Gauge({
      name: 'sellergate_redis_fallback_calls',
      help: 'Rate-limit and counter calls answered in-process because Redis was not available',
      registers: [registry],
      collect() {
        fallbacks.set(redis.fallbacks);
      },
    });
  }
  const policy = options.policy;
  if (policy) {
    const info = new Gauge({
      name: 'sellergate_policy_info',
      help: 'The access policy version in force in this process (value 1); every process should show the same',
      labelNames: ['version'] as const,
      registers: [registry],
      collect() {
        info.reset();
        info.set({ version: policy.current().version }, 1);
      },
    });
  }
  if (options.audit) auditGauges(registry, options.audit);
  const requests = new Counter({
    name: 'sellergate_graphql_operations_total',
    help: 'GraphQL operations by operation name and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'sellergate_graphql_operation_duration_seconds',
    help: 'GraphQL operation duration by operation name and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const operationLabel = operationLabeller();
  /** Counts one answered request (`started`: process.hrtime.bigint() when it began). */
  const observe = ({ result: body, operationName, contextValue }: ObservedAnswer, started: bigint): void => {
    const codes = (body?.errors ?? []).map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
    const admitted = Boolean(contextValue?.principal) && !contextValue?.refusal;
    const labels = { operation: operationLabel(operationName, admitted), outcome: outcomeOf(codes, Boolean(body?.data)) };
    requests.inc(labels);
    duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
  };
  const plugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse(request) {
          observe(observedAnswerOf(request), started);
        },
      };
    },
  };
  return { registry, plugin, observe };
}
