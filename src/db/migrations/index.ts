// Migrations in the order they run. Every schema change adds one here; none is ever edited.
import type { MigrationInterface } from 'typeorm';
import { CoreAccounts1795777861725 } from './1795777861725-core-accounts';
import { CatalogProductsListings1795778150824 } from './1795778150824-catalog-products-listings';
import { AdvertisingEntitiesMetrics1795778159079 } from './1795778159079-advertising-entities-metrics';
import { ApiTokens1795778557190 } from './1795778557190-api-tokens';

export const MIGRATIONS: (new () => MigrationInterface)[] = [
  CoreAccounts1795777861725,
  CatalogProductsListings1795778150824,
  AdvertisingEntitiesMetrics1795778159079,
  ApiTokens1795778557190,
];
