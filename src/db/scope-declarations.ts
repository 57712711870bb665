// Which columns carry each entity's row scope, declared once for the scoped data-access layer
// (src/db/scoped.ts). Property names, as the query builder knows them.
import type { ObjectLiteral, EntityTarget } from 'typeorm';
import { ScopedAdRow } from '../../entities/advertising/scoped-ad-row';
import { Listing } from '../../entities/catalog/listing.entity';
import { Marketplace } from '../../entities/catalog/marketplace.entity';
import { Product } from '../../entities/catalog/product.entity';
import { SellerAccount } from '../../entities/catalog/seller-account.entity';
import { AccessReview } from '../../entities/gateway/access-review.entity';
import { AmazonCredential } from '../../entities/gateway/amazon-credential.entity';
import { ConnectorCursor } from '../../entities/gateway/connector-cursor.entity';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { RetentionRun } from '../../entities/gateway/retention-run.entity';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { DeletionRequest } from '../../entities/gateway/deletion-request.entity';
import { LegalHold } from '../../entities/gateway/legal-hold.entity';
import { PrincipalSuspension } from '../../entities/gateway/principal-suspension.entity';
import { RetentionArchive } from '../../entities/gateway/retention-archive.entity';
import { SyncRun } from '../../entities/gateway/sync-run.entity';
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
import { SystemEvent } from '../../entities/system-logs/system-event.entity';
import { UserAction } from '../../entities/system-logs/user-action.entity';
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

/** Sync-run errors by which a registered marketplace of an account was not synced. */
export const SYNC_NOT_SYNCED_CODES = ['OUT_OF_SCOPE', 'MARKETPLACE_NOT_AUTHORIZED'];

function syncRunWithinSql(alias: string, scope: RowScope, param: (value: unknown) => string): string | null {
  if (scope.accounts === null && scope.marketplaces === null) return null;
  // The accounts a run covers: those it synced and those its errors name (`-`: no account).
  const covered = `(SELECT ca.a FROM unnest(${alias}.accounts) AS ca(a) UNION SELECT ce.e->>'account' FROM jsonb_array_elements(${alias}.errors) AS ce(e) WHERE ce.e->>'account' <> '-')`;
  const conditions = [`EXISTS (SELECT 1 FROM ${covered} AS c1(a))`];
  if (scope.accounts) conditions.push(`NOT EXISTS (SELECT 1 FROM ${covered} AS c2(a) WHERE NOT (c2.a = ANY(${param([...scope.accounts])}::text[])))`);
  if (scope.marketplaces) {
    const marketplaces = param([...scope.marketplaces]);
    conditions.push(
      `NOT EXISTS (SELECT 1 FROM ${covered} AS c3(a) WHERE NOT EXISTS (SELECT 1 FROM seller_account_marketplace s3 WHERE s3.seller_id = c3.a AND s3.marketplace_id = ANY(${marketplaces}::text[])))`,
      `NOT EXISTS (SELECT 1 FROM ${covered} AS c4(a) JOIN seller_account_marketplace s4 ON s4.seller_id = c4.a
         WHERE NOT (s4.marketplace_id = ANY(${marketplaces}::text[]))
           AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(${alias}.errors) AS e4(e)
                            WHERE e4.e->>'account' = c4.a AND e4.e->>'marketplace' = s4.marketplace_id AND e4.e->>'code' = ANY(${param(SYNC_NOT_SYNCED_CODES)}::text[])))`,
    );
  }
  return conditions.join(' AND ');
}

export const SCOPE_DECLARATIONS = new Map<EntityTarget<ObjectLiteral>, ScopeDeclaration>([
  // Category data (a class declares for the classes that extend it: every advertising row)
  [Listing, ACCOUNT_AND_MARKETPLACE],
  [ScopedAdRow, ACCOUNT_AND_MARKETPLACE],
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
  // An account's Amazon credentials serve every marketplace of it: seen by principals not limited in marketplaces.
  [AmazonCredential, row('sellerAccountId', undefined)],
  // A product (global by ASIN) is seen by a scope that lists it.
  [
    Product,
    {
      kind: 'through',
      sql: (alias, scope, param) => {
        if (scope.accounts === null && scope.marketplaces === null) return null;
        const within = [
          ...(scope.accounts ? [`sl.seller_account_id = ANY(${param([...scope.accounts])})`] : []),
          ...(scope.marketplaces ? [`sl.marketplace_id = ANY(${param([...scope.marketplaces])})`] : []),
        ];
        return `EXISTS (SELECT 1 FROM listing sl WHERE sl.asin = ${alias}.asin AND ${within.join(' AND ')})`;
      },
    },
  ],
  // Accounts by their id; marketplaces by their id and, with an account scope, linked to an account in scope.
  [
    SellerAccount,
    {
      kind: 'through',
      sql: (alias, scope, param) => {
        const conditions: string[] = [];
        if (scope.accounts) conditions.push(`${alias}.sellerId = ANY(${param([...scope.accounts])})`);
        if (scope.marketplaces) {
          conditions.push(`EXISTS (SELECT 1 FROM seller_account_marketplace sam WHERE sam.seller_id = ${alias}.sellerId AND sam.marketplace_id = ANY(${param([...scope.marketplaces])}))`);
        }
        return conditions.length ? conditions.join(' AND ') : null;
      },
    },
  ],
  [
    Marketplace,
    {
      kind: 'through',
      sql: (alias, scope, param) => {
        const conditions: string[] = [];
        if (scope.marketplaces) conditions.push(`${alias}.marketplaceId = ANY(${param([...scope.marketplaces])})`);
        if (scope.accounts) {
          conditions.push(`EXISTS (SELECT 1 FROM seller_account_marketplace sam WHERE sam.marketplace_id = ${alias}.marketplaceId AND sam.seller_id = ANY(${param([...scope.accounts])}))`);
        }
        return conditions.length ? conditions.join(' AND ') : null;
      },
    },
  ],
  // Records of no account: only principals not limited in scope see them.
  [SystemEvent, row(undefined, undefined)],
  [UserAction, row(undefined, undefined)],
  [AuditRecord, row(undefined, undefined)],
  [RetentionRun, row(undefined, undefined)],
  // Administrative objects
  [ApiToken, { kind: 'sets', accounts: 'accounts', marketplaces: 'marketplaces' }],
  [DeletionRequest, { kind: 'sets', accounts: 'scopeAccounts', marketplaces: 'scopeMarketplaces' }],
  [LegalHold, { kind: 'sets', accounts: 'scopeAccounts', marketplaces: 'scopeMarketplaces' }],
  // A sign-off covers its reviewer's scope: a limited principal sees those within its own (the
  // company-wide one, NULL, only principals not limited in scope: see lastSignOff).
  [AccessReview, { kind: 'sets', accounts: 'scopeAccounts', marketplaces: 'scopeMarketplaces' }],
  // A connector stream's cursor of one account and marketplace; `-` (the whole account): principals not limited in marketplaces.
  [ConnectorCursor, ACCOUNT_AND_MARKETPLACE],
  // A sync run covers the accounts it synced and those its errors name (an account that failed
  // before it started is not in `accounts`); a run that names none is seen only by principals not
  // limited in scope. Limited in marketplaces: only runs that synced no marketplace outside them
  // (each registered marketplace of its accounts is in scope or recorded as not synced) of accounts
  // with a marketplace in scope (as SellerAccount).
  [SyncRun, { kind: 'through', sql: syncRunWithinSql }],
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
