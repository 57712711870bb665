// Runs operations against the gateway schema (no HTTP, no governance middleware) with a context.
import { graphql, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import type { RequestContext } from '../../src/context';
import { buildGatewaySchema } from '../../src/server/schema';
import { testContext, testPrincipal } from '../support/context';
import { Purpose } from '../../src/policy/taxonomy';

let schema: Promise<GraphQLSchema> | undefined;

export async function execute(ctx: RequestContext, source: string, variableValues?: Record<string, unknown>): Promise<ExecutionResult<any>> {
  schema ??= buildGatewaySchema();
  return graphql({ schema: await schema, source, contextValue: ctx, variableValues });
}

/** Data of a successful operation; fails the test with the errors otherwise. */
export async function data(ctx: RequestContext, source: string, variableValues?: Record<string, unknown>): Promise<any> {
  const result = await execute(ctx, source, variableValues);
  expect(result.errors).toBeUndefined();
  return result.data;
}

export function contextFor(dataSource: DataSource, scope: { accounts?: string[]; marketplaces?: string[] } = {}, purpose = Purpose.OPERATIONAL_REPORTING): RequestContext {
  return testContext(dataSource, {
    principal: testPrincipal({ accounts: scope.accounts ?? null, marketplaces: scope.marketplaces ?? null }),
    purpose,
  });
}

export const errorCodes = (result: ExecutionResult): unknown[] => (result.errors ?? []).map((error) => error.extensions?.code);
