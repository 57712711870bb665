// Serves Apollo the governed schema of the policy in force and swaps it when the policy changes,
// through Apollo Server's gateway interface (load / onSchemaLoadOrUpdate / stop). Apollo takes the
// schema once per request, so a request in flight finishes on the schema (and policy) it started
// with. Apollo runs the operations itself (graphql-js); planned ones are answered before that, by
// the admission plugin (src/execution/planned-executor.ts). Admission (src/admission) checks
// that the request's `ctx.policy` is the one that schema was governed by: shield rules, masks,
// the audit record and `extensions.governance.policyVersion` all agree.
import type { GatewayInterface, GatewaySchemaLoadOrUpdateCallback } from '@apollo/server-gateway-interface';
import type { GraphQLSchema } from 'graphql';
import type { Policy } from './policy';
import type { PolicyHolder } from './policy-holder';

export class GovernedSchemaSource implements GatewayInterface {
  private schema: GraphQLSchema;
  private readonly listeners = new Set<GatewaySchemaLoadOrUpdateCallback>();
  private readonly policies = new WeakMap<GraphQLSchema, Policy>();
  private readonly unregister: () => void;

  constructor(
    private readonly holder: PolicyHolder,
    /** Builds the schema served under a policy (the governed schema, or the raw one). */
    private readonly build: (policy: Policy) => GraphQLSchema,
  ) {
    this.schema = this.governed(holder.current());
    this.unregister = holder.prepare((policy) => {
      const next = this.governed(policy);
      return () => this.publish(next);
    });
  }

  private governed(policy: Policy): GraphQLSchema {
    const schema = this.build(policy);
    this.policies.set(schema, policy);
    return schema;
  }

  private publish(schema: GraphQLSchema): void {
    this.schema = schema;
    for (const listener of this.listeners) listener({ apiSchema: schema, coreSupergraphSdl: '' });
  }

  /** The schema served now. */
  current(): GraphQLSchema {
    return this.schema;
  }

  /** The policy a schema served by this source was governed by. */
  policyOf(schema: GraphQLSchema | undefined): Policy | undefined {
    return schema ? this.policies.get(schema) : undefined;
  }

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): () => void {
    this.listeners.add(callback);
    return () => this.listeners.delete(callback);
  }

  /** No executor of its own: Apollo executes with graphql-js on the schema published. */
  async load(): Promise<{ executor: null }> {
    this.publish(this.schema);
    return { executor: null };
  }

  async stop(): Promise<void> {
    this.unregister();
    this.listeners.clear();
  }
}
