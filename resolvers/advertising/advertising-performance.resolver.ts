import { Args, Ctx, Query, Resolver } from 'type-graphql';
import { AdvertisingPerformanceArgs, AdvertisingPerformanceType } from '../../schema/advertising/advertising-performance.type';
import type { RequestContext } from '../../src/context';
import { Classified } from '../../src/policy/classification';
import { Category, Sensitivity } from '../../src/policy/taxonomy';
import { adMetricsService } from './ad-metrics.service';

@Resolver(() => AdvertisingPerformanceType)
export class AdvertisingPerformanceResolver {
  @Query(() => AdvertisingPerformanceType, { description: 'Sponsored Products performance by campaign, ad group or day over from..to (inclusive)' })
  @Classified(Sensitivity.INTERNAL, { category: Category.ADVERTISING })
  advertisingPerformance(@Ctx() ctx: RequestContext, @Args() args: AdvertisingPerformanceArgs) {
    return adMetricsService.performance(ctx, args);
  }
}
