// Every table of the gateway, by category. Each category folder exports its own list.
import { advertisingEntities } from './advertising';
import { catalogEntities } from './catalog';
import { gatewayEntities } from './gateway';
import { inventoryFinanceEntities } from './inventory-finance';
import { ordersEntities } from './orders';
import { systemLogsEntities } from './system-logs';

export const ALL_ENTITIES = [
  ...catalogEntities,
  ...advertisingEntities,
  ...ordersEntities,
  ...inventoryFinanceEntities,
  ...systemLogsEntities,
  ...gatewayEntities,
];

/** The data tables of each category (keys are the policy's category names). */
export const ENTITIES_BY_CATEGORY = {
  CATALOG: catalogEntities,
  ADVERTISING: advertisingEntities,
  ORDERS: ordersEntities,
  INVENTORY_FINANCE: inventoryFinanceEntities,
  SYSTEM_LOGS: systemLogsEntities,
} as const;
