// Runs an operation against the in-memory gateway schema (no HTTP, no governance middleware)
// and fails the test on any GraphQL error.
import { graphql, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../../src/context';

export async function runQuery<T = Record<string, any>>(
  schema: GraphQLSchema,
  ctx: RequestContext,
  source: string,
  variableValues: Record<string, unknown> = {},
): Promise<T> {
  const result = await graphql({ schema, source, contextValue: ctx, variableValues });
  if (result.errors?.length) throw new Error(result.errors.map((error) => `${error.message} at ${error.path?.join('.')}`).join('\n'));
  return result.data as T;
}
