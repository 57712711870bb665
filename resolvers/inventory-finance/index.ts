// Resolvers of the inventory-finance category: this list alone can serve the category as a subgraph.
import { InventoryResolver } from './inventory.resolver';
import { SettlementResolver } from './settlement.resolver';

export const inventoryFinanceResolvers: Function[] = [InventoryResolver, SettlementResolver];
