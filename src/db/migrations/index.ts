// Migrations in the order they run. Every schema change adds one here; none is ever edited.
import type { MigrationInterface } from 'typeorm';
import { CoreAccounts1795777861725 } from './1795777861725-core-accounts';
import { CatalogProductsListings1795778150824 } from './1795778150824-catalog-products-listings';
import { AdvertisingEntitiesMetrics1795778159079 } from './1795778159079-advertising-entities-metrics';
import { ApiTokens1795778557190 } from './1795778557190-api-tokens';
import { OrdersFulfillment1795778191929 } from './1795778191929-orders-fulfillment';
import { AuditLog1795778185436 } from './1795778185436-audit-log';
import { SystemLogs1795778189889 } from './1795778189889-system-logs';
import { AuditAppendOnly1795778189999 } from './1795778189999-audit-append-only';
import { InventoryFinance1795778208312 } from './1795778208312-inventory-finance';
import { SecurityOperations1795779610472 } from './1795779610472-security-operations';
import { RetentionHoldsDeletion1795779682967 } from './1795779682967-retention-holds-deletion';
import { OrderSalesSummary1795779689238 } from './1795779689238-order-sales-summary';
import { AmazonCredentials1795787327846 } from './1795787327846-amazon-credentials';
import { PolicyRevisions1795787354401 } from './1795787354401-policy-revisions';
import { DataExports1795787473215 } from './1795787473215-data-exports';
import { AuditAppendFunction1795789654944 } from './1795789654944-audit-append-function';
import { PolicyVersionLength1795794460597 } from './1795794460597-policy-version-length';
import { AdminObjectScope1796192396062 } from './1796192396062-admin-object-scope';
import { AuditServedBy1796192402991 } from './1796192402991-audit-served-by';
import { DeletionRequestReference1796192410615 } from './1796192410615-deletion-request-reference';
import { ConnectorSync1796192941627 } from './1796192941627-connector-sync';
import { ImportRowsOutOfScope1796193180495 } from './1796193180495-import-rows-out-of-scope';
import { PersistedNormalizedHash1796194143351 } from './1796194143351-persisted-normalized-hash';
import { AuditPurposes1796200000000 } from './1796200000000-audit-purposes';
import { SyncRunHeartbeat1796201000000 } from './1796201000000-sync-run-heartbeat';
import { AuditAppendIndexPlan1796202000000 } from './1796202000000-audit-append-index-plan';
import { DataExportScope1796204100000 } from './1796204100000-data-export-scope';
import { AccessReviewScope1796332400000 } from './1796332400000-access-review-scope';

export const MIGRATIONS: (new () => MigrationInterface)[] = [
  CoreAccounts1795777861725,
  CatalogProductsListings1795778150824,
  AdvertisingEntitiesMetrics1795778159079,
  OrdersFulfillment1795778191929,
  AuditLog1795778185436,
  SystemLogs1795778189889,
  AuditAppendOnly1795778189999,
  InventoryFinance1795778208312,
  ApiTokens1795778557190,
  SecurityOperations1795779610472,
  RetentionHoldsDeletion1795779682967,
  OrderSalesSummary1795779689238,
  AmazonCredentials1795787327846,
  PolicyRevisions1795787354401,
  DataExports1795787473215,
  AuditAppendFunction1795789654944,
  PolicyVersionLength1795794460597,
  AdminObjectScope1796192396062,
  AuditServedBy1796192402991,
  DeletionRequestReference1796192410615,
  ConnectorSync1796192941627,
  ImportRowsOutOfScope1796193180495,
  PersistedNormalizedHash1796194143351,
  AuditPurposes1796200000000,
  SyncRunHeartbeat1796201000000,
  AuditAppendIndexPlan1796202000000,
  DataExportScope1796204100000,
  AccessReviewScope1796332400000,
];
