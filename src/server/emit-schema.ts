// The SDL users see, printed in a stable order: committed as schema/schema.graphql.
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';

export const SCHEMA_FILE = 'schema/schema.graphql';

export function printGatewaySchema(schema: GraphQLSchema): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
