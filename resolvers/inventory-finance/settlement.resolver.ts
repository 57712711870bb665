import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Settlement } from '../../entities/inventory-finance';
import { RefundsArgs, SettlementsArgs } from '../../schema/inventory-finance/inventory-finance-args.type';
import { RefundConnection, SettlementConnection, SettlementLineType, SettlementType } from '../../schema/inventory-finance/inventory-finance.type';
import type { RequestContext } from '../../src/context';
import { Classified } from '../../src/policy/classification';
import { Category, Sensitivity } from '../../src/policy/taxonomy';
import { settlementLinesLoader } from './inventory-finance.loaders';
import { inventoryFinanceService } from './inventory-finance.service';

@Resolver(() => SettlementType)
export class SettlementResolver {
  @Query(() => SettlementConnection, { description: 'Settlements (payout periods)' })
  @Classified(Sensitivity.INTERNAL, { category: Category.INVENTORY_FINANCE })
  settlements(@Ctx() ctx: RequestContext, @Args() args: SettlementsArgs) {
    return inventoryFinanceService.settlements(ctx, args);
  }

  @Query(() => SettlementType, { nullable: true, description: 'One settlement by Amazon settlement id (null when absent or out of scope)' })
  @Classified(Sensitivity.INTERNAL, { category: Category.INVENTORY_FINANCE })
  settlement(@Ctx() ctx: RequestContext, @Arg('settlementId') settlementId: string) {
    return inventoryFinanceService.settlement(ctx, settlementId);
  }

  @Query(() => RefundConnection, { description: 'Refunds posted for order lines' })
  @Classified(Sensitivity.INTERNAL, { category: Category.INVENTORY_FINANCE })
  refunds(@Ctx() ctx: RequestContext, @Args() args: RefundsArgs) {
    return inventoryFinanceService.refunds(ctx, args);
  }

  @FieldResolver(() => [SettlementLineType], { description: 'Amount components in file order' })
  @Classified(Sensitivity.INTERNAL)
  lines(@Root() settlement: Settlement, @Ctx() ctx: RequestContext) {
    return settlementLinesLoader(ctx).load(settlement.id);
  }
}
