import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { SalesSummaryArgs, SalesSummaryType } from '../../schema/orders/sales-summary.type';
import type { RequestContext } from '../../src/context';
import { Classified } from '../../src/policy/classification';
import { Category, Sensitivity } from '../../src/policy/taxonomy';
import { salesSummaryService } from './sales-summary.service';

@Resolver(() => SalesSummaryType)
export class SalesSummaryResolver {
  @Query(() => SalesSummaryType, { description: 'Sales grouped by day, week, month, ASIN, SKU or marketplace (canceled orders excluded)' })
  @Classified(Sensitivity.INTERNAL, { category: Category.ORDERS })
  salesSummary(@Ctx() ctx: RequestContext, @Args() args: SalesSummaryArgs) {
    return salesSummaryService.summarize(ctx, args);
  }
}
