// Migrations in the order they run. Every schema change adds one here; none is ever edited.
import type { MigrationInterface } from 'typeorm';
import { CoreAccounts1795777861725 } from './1795777861725-core-accounts';
import { OrdersFulfillment1795778191929 } from './1795778191929-orders-fulfillment';
import { InventoryFinance1795778208312 } from './1795778208312-inventory-finance';

export const MIGRATIONS: (new () => MigrationInterface)[] = [
  CoreAccounts1795777861725,
  OrdersFulfillment1795778191929,
  InventoryFinance1795778208312,
];
