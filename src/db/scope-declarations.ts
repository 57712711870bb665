// Which columns carry each entity's row scope, declared once for the scoped data-access layer
// (src/db/scoped.ts). Property names, as the query builder knows them.
import type { ObjectLiteral, EntityTarget } from 'typeorm';
import { Campaign } from '../../entities/advertising/campaign.entity';
import { AdDailyMetric } from '../../entities/advertising/ad-daily-metric.entity';
import { Listing } from '../../entities/catalog/listing.entity';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { DeletionRequest } from '../../entities/gateway/deletion-request.entity';
import { LegalHold } from '../../entities/gateway/legal-hold.entity';
import { PrincipalSuspension } from '../../entities/gateway/principal-suspension.entity';
import { RetentionArchive } from '../../entities/gateway/retention-archive.entity';
import { FeeEstimate } from '../../entities/inventory-finance/fee-estimate.entity';
import { InventorySnapshot } from '../../entities/inventory-finance/inventory-snapshot.entity';
import { Refund } from '../../entities/inventory-finance/refund.entity';
import { ReplenishmentRecommendation } from '../../entities/inventory-finance/replenishment-recommendation.entity';
import { Settlement } from '../../entities/inventory-finance/settlement.entity';
import { OrderReturn } from '../../entities/orders/order-return.entity';
import { OrderSalesSummary } from '../../entities/orders/order-sales-summary.entity';
import { Order } from '../../entities/orders/order.entity';
import { Shipment } from '../../entities/orders/shipment.entity';
import { ApiCallLog } from '../../entities/system-logs/api-call-log.entity';
import { ImportRun } from '../../entities/system-logs/import-run.entity';
import type { RowScope } from '../auth/principal';

/** How an entity's rows name their seller account and marketplace. */
export type ScopeDeclaration =
  /** A data row of one account and marketplace; a missing column: rows are seen only by principals not limited in it. */
  | { kind: 'row'; account?: string; marketplace?: string }
  /** An administrative object naming sets of accounts and marketplaces (array columns; NULL = all). */
  | { kind: 'sets'; accounts: string; marketplaces: string }
  /** Scope held by another table: the condition for `alias` under `scope` (null: no condition). */
  | { kind: 'through'; sql: (alias: string, scope: RowScope, param: (value: unknown) => string) => string | null };

const row = (account: string | undefined, marketplace: string | undefined): ScopeDeclaration => ({ kind: 'row', account, marketplace });
const ACCOUNT_AND_MARKETPLACE = row('sellerAccountId', 'marketplaceId');

/** Set semantics over raw SQL array columns, for objects whose scope another table holds. */
export function setsWithinSql(accounts: string, marketplaces: string, scope: RowScope, param: (value: unknown) => string): string {
  const conditions = ['TRUE'];
  if (scope.accounts) conditions.push(`(${accounts} IS NOT NULL AND ${accounts} <@ ${param([...scope.accounts])}::text[])`);
  if (scope.marketplaces) conditions.push(`(${marketplaces} IS NOT NULL AND ${marketplaces} <@ ${param([...scope.marketplaces])}::text[])`);
  return conditions.join(' AND ');
}

export const SCOPE_DECLARATIONS = new Map<EntityTarget<ObjectLiteral>, ScopeDeclaration>([
  // Category data
  [Listing, ACCOUNT_AND_MARKETPLACE],
  [Campaign, ACCOUNT_AND_MARKETPLACE],
  [AdDailyMetric, ACCOUNT_AND_MARKETPLACE],
  [Order, ACCOUNT_AND_MARKETPLACE],
  [OrderReturn, ACCOUNT_AND_MARKETPLACE],
  [Shipment, ACCOUNT_AND_MARKETPLACE],
  [OrderSalesSummary, ACCOUNT_AND_MARKETPLACE],
  [Settlement, ACCOUNT_AND_MARKETPLACE],
  [Refund, ACCOUNT_AND_MARKETPLACE],
  [FeeEstimate, ACCOUNT_AND_MARKETPLACE],
  [InventorySnapshot, ACCOUNT_AND_MARKETPLACE],
  [ReplenishmentRecommendation, ACCOUNT_AND_MARKETPLACE],
  [RetentionArchive, ACCOUNT_AND_MARKETPLACE],
  [ApiCallLog, row('accountId', undefined)],
  [ImportRun, ACCOUNT_AND_MARKETPLACE],
  // Administrative objects
  [ApiToken, { kind: 'sets', accounts: 'accounts', marketplaces: 'marketplaces' }],
  [DeletionRequest, { kind: 'sets', accounts: 'scopeAccounts', marketplaces: 'scopeMarketplaces' }],
  [LegalHold, { kind: 'sets', accounts: 'scopeAccounts', marketplaces: 'scopeMarketplaces' }],
  // A suspension is in scope when its principal is a token within the scope (a user's scope is
  // not stored: only principals not limited in scope see those).
  [
    PrincipalSuspension,
    {
      kind: 'through',
      sql: (alias, scope, param) =>
        scope.accounts === null && scope.marketplaces === null
          ? null
          : `EXISTS (SELECT 1 FROM api_token st WHERE st.id::text = ${alias}.principalId AND ${setsWithinSql('st.accounts', 'st.marketplaces', scope, param)})`,
    },
  ],
]);
