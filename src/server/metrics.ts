// Prometheus metrics (prom-client): request counts and durations by operation and outcome.
import type { ApolloServerPlugin } from '@apollo/server';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestContext } from '../context';
import type { PolicySource } from '../policy/policy-holder';

export interface GatewayMetrics {
  registry: Registry;
  plugin: ApolloServerPlugin<RequestContext>;
}

export function outcomeOf(errorCodes: string[], hasData: boolean): string {
  if (errorCodes.length === 0) return 'ok';
  if (hasData && errorCodes.every((code) => code === 'FORBIDDEN')) return 'partial';
  return errorCodes[0].toLowerCase();
}

/** `policy`: the process's policy in force, exported as `sellergate_policy_info{version}` (1). */
export function createMetrics(options: { policy?: PolicySource } = {}): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
  const plugin: ApolloServerPlugin<RequestContext> = {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ response, operationName }) {
          const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const codes = (body?.errors ?? []).map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          const labels = { operation: operationName ?? 'anonymous', outcome: outcomeOf(codes, Boolean(body?.data)) };
          requests.inc(labels);
          duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
        },
      };
    },
  };
  return { registry, plugin };
}
