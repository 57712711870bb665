import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { FeeEstimatesArgs, InventoryArgs, ReplenishmentArgs } from '../../schema/inventory-finance/inventory-finance-args.type';
import {
  FeeEstimateConnection,
  InventorySnapshotConnection,
  InventorySnapshotType,
  ReplenishmentRecommendationConnection,
} from '../../schema/inventory-finance/inventory-finance.type';
import type { RequestContext } from '../../src/context';
import { Classified } from '../../src/policy/classification';
import { Category, Sensitivity } from '../../src/policy/taxonomy';
import { inventoryFinanceService } from './inventory-finance.service';

@Resolver(() => InventorySnapshotType)
export class InventoryResolver {
  @Query(() => InventorySnapshotConnection, { description: 'Daily FBA stock snapshots per SKU' })
  @Classified(Sensitivity.INTERNAL, { category: Category.INVENTORY_FINANCE })
  inventory(@Ctx() ctx: RequestContext, @Args() args: InventoryArgs) {
    return inventoryFinanceService.inventory(ctx, args);
  }

  @Query(() => ReplenishmentRecommendationConnection, { description: 'Restock recommendations per SKU' })
  @Classified(Sensitivity.INTERNAL, { category: Category.INVENTORY_FINANCE })
  replenishmentRecommendations(@Ctx() ctx: RequestContext, @Args() args: ReplenishmentArgs) {
    return inventoryFinanceService.replenishment(ctx, args);
  }

  @Query(() => FeeEstimateConnection, { description: 'Estimated Amazon fees per SKU' })
  @Classified(Sensitivity.INTERNAL, { category: Category.INVENTORY_FINANCE })
  feeEstimates(@Ctx() ctx: RequestContext, @Args() args: FeeEstimatesArgs) {
    return inventoryFinanceService.feeEstimates(ctx, args);
  }
}
