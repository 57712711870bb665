// Restricted exports behind the federated gateway. `createExport` is resolved here instead of
// being forwarded to a subgraph: by the same resolver as in the single process, on the governed
// export schema (which decides EXPORT_DATA like everywhere else), and the exported query then runs
// page by page through this gateway's own executor, so it crosses subgraphs and every subgraph
// enforces decisions, masks and row scope under the signed internal context of the caller's
// principal, purpose and policy version. Limits, paging, watermark, storage and audit are those of
// src/exports.
import { SCALARS_MAP } from '../../schema/common/date-time.scalar';
import { createHash } from 'node:crypto';
import type {
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
  GatewayUnsubscriber,
  GatewayApolloConfig,
} from '@apollo/server-gateway-interface';
import { execute, getOperationAST, GraphQLError, print, type GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import type { RequestContext } from '../context';
import { ErrorCode } from '../errors';
import { exportResolvers, useExportExecutor, type ExportExecutor } from '../exports';

import { governSchema } from '../policy/govern-schema';
import type { Policy } from '../policy/policy';
import { operationFacts } from '../admission/operation-facts';

/** The root field the gateway resolves itself. */
const EXPORT_MUTATION = 'createExport';

/** Governed schemas of the export resolvers, by policy version (the one in force and the one before). */
export class ExportSchemas {
  private readonly byVersion = new Map<string, GraphQLSchema>();

  private constructor(
    private readonly raw: GraphQLSchema,
    private readonly pseudonymKey: string,
  ) {}

  static async build(pseudonymKey: string): Promise<ExportSchemas> {
    return new ExportSchemas(await buildSchema({ resolvers: exportResolvers as unknown as NonEmptyArray<Function>, validate: false, scalarsMap: SCALARS_MAP }), pseudonymKey);
  }

  for(policy: Policy): GraphQLSchema {
    let schema = this.byVersion.get(policy.version);
    if (!schema) {
      schema = governSchema(this.raw, policy, { pseudonymKey: this.pseudonymKey });
      this.byVersion.set(policy.version, schema);
      // Keep the two newest versions (a request may still run under the previous policy).
      while (this.byVersion.size > 2) this.byVersion.delete(this.byVersion.keys().next().value!);
    }
    return schema;
  }
}

/** Runs an export's pages with @apollo/gateway's executor, as a client operation of the same request would be. */
export function federatedExportExecutor(outer: GatewayGraphQLRequestContext, executor: GatewayExecutor): ExportExecutor {
  return {
    schema: outer.schema,
    run: async ({ document, variables, operationName, context }) => {
      const operation = getOperationAST(document, operationName);
      if (!operation) throw new GraphQLError('The exported document has no operation to run', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
      const source = print(document);
      return executor({
        ...outer,
        request: { query: source, variables, operationName, http: outer.request.http },
        document,
        source,
        queryHash: createHash('sha256').update(source).digest('hex'),
        operation,
        operationName: operationName ?? null,
        // The page's own context: its subgraph fetches sign this principal, purpose and policy
        // version, and what the subgraphs masked, denied and counted is recorded in it.
        context: context as unknown as Record<string, unknown>,
        errors: undefined,
        metrics: {},
      });
    },
  };
}

/**
 * @apollo/gateway with `createExport` resolved at the gateway: an operation whose mutation root
 * selects only `createExport` runs on the governed export schema (the exported query through the
 * federated executor); every other operation goes to the subgraphs as before.
 */
export class ExportingGateway implements GatewayInterface {
  constructor(
    private readonly inner: GatewayInterface,
    private readonly schemas: ExportSchemas,
  ) {}

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): GatewayUnsubscriber {
    return this.inner.onSchemaLoadOrUpdate(callback);
  }

  async load(options: { apollo: GatewayApolloConfig }): Promise<GatewayLoadResult> {
    const { executor } = await this.inner.load(options);
    if (!executor) return { executor };
    return {
      executor: async (requestContext) => {
        const exporting = exportFields(requestContext);
        if (exporting === 'none') return executor(requestContext);
        if (exporting === 'mixed') {
          return {
            data: null,
            errors: [
              new GraphQLError(`${EXPORT_MUTATION} is resolved by the gateway: send it in a mutation of its own (no other mutation field beside it)`, {
                extensions: { code: ErrorCode.BAD_USER_INPUT },
              }),
            ],
          };
        }
        const ctx = requestContext.context as unknown as RequestContext;
        useExportExecutor(ctx, federatedExportExecutor(requestContext, executor));
        return execute({
          schema: this.schemas.for(ctx.policy),
          document: requestContext.document,
          operationName: requestContext.request.operationName,
          variableValues: requestContext.request.variables,
          contextValue: ctx,
        });
      },
    };
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}

/** Whether the operation is an export: `none`, `only` (createExport alone) or `mixed` with other mutation fields. */
function exportFields(requestContext: GatewayGraphQLRequestContext): 'none' | 'only' | 'mixed' {
  const { schema, document, operation } = requestContext;
  const mutation = schema.getMutationType();
  if (operation.operation !== 'mutation' || !mutation) return 'none';
  const roots = [...operationFacts(schema, document, operation).objectFields].filter((coordinate) => coordinate.startsWith(`${mutation.name}.`));
  if (!roots.includes(`${mutation.name}.${EXPORT_MUTATION}`)) return 'none';
  return roots.every((coordinate) => coordinate === `${mutation.name}.${EXPORT_MUTATION}`) ? 'only' : 'mixed';
}
