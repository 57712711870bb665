// The gateway's GraphQL schema: every category module's resolvers in one graph.
import { SCALARS_MAP } from '../../schema/common/date-time.scalar';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { advertisingResolvers } from '../../resolvers/advertising';
import { catalogResolvers } from '../../resolvers/catalog';
import { inventoryFinanceResolvers } from '../../resolvers/inventory-finance';
import { ordersResolvers } from '../../resolvers/orders';
import { systemLogsResolvers } from '../../resolvers/system-logs';
import { ConsoleResolver } from '../console/console.resolver';
import { exportResolvers } from '../exports';
import { ApiTokenResolver } from '../auth/api-token.resolver';
import { ExplainAccessResolver } from '../policy/explain-access.resolver';
import { MeResolver } from '../policy/me.resolver';
import { withPurposeDirective } from '../policy/root-purpose';
import { retentionResolvers } from '../retention';
import { connectorResolvers } from '../connectors/connectors.resolver';
import { credentialResolvers } from '../security/credentials/credentials.resolver';
import { securityResolvers } from '../security/security.resolver';

export const CATEGORY_RESOLVERS = {
  catalog: catalogResolvers,
  advertising: advertisingResolvers,
  orders: ordersResolvers,
  'inventory-finance': inventoryFinanceResolvers,
  'system-logs': systemLogsResolvers,
} as const;

/** Every category's resolvers plus the gateway's own (token administration, explainAccess). */
export function allResolvers(): NonEmptyArray<Function> {
  return [...Object.values(CATEGORY_RESOLVERS).flat(), ApiTokenResolver, ExplainAccessResolver, MeResolver, ...securityResolvers, ...credentialResolvers, ...retentionResolvers, ...exportResolvers, ConsoleResolver, ...connectorResolvers] as unknown as NonEmptyArray<Function>;
}

/** Builds the executable schema (without governance middleware; see src/policy). */
export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  // `@purpose(name:)` on root fields: one operation under several purposes (src/policy/root-purpose.ts).
  return withPurposeDirective(await buildSchema({ resolvers: allResolvers(), validate: false, scalarsMap: SCALARS_MAP }));
}
