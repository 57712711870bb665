import { FeeEstimate } from './fee-estimate.entity';
import { InventorySnapshot } from './inventory-snapshot.entity';
import { Refund } from './refund.entity';
import { ReplenishmentRecommendation } from './replenishment-recommendation.entity';
import { SettlementLine } from './settlement-line.entity';
import { Settlement } from './settlement.entity';

export { FeeEstimate, InventorySnapshot, Refund, ReplenishmentRecommendation, Settlement, SettlementLine };
export const inventoryFinanceEntities: Function[] = [
  InventorySnapshot,
  ReplenishmentRecommendation,
  FeeEstimate,
  Settlement,
  SettlementLine,
  Refund,
];
