// Metrics of keywords, product targets and product ads: the same batched loader per entity type.
import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { AdEntityType, type Keyword, type ProductAd, type ProductTarget } from '../../entities/advertising';
import { KeywordType, ProductAdType, ProductTargetType } from '../../schema/advertising/advertising.type';
import { AdMetricsType, MetricsRangeArgs } from '../../schema/advertising/ad-metrics.type';
import type { RequestContext } from '../../src/context';
import { Classified } from '../../src/policy/classification';
import { Sensitivity } from '../../src/policy/taxonomy';
import { metricsLoader } from './advertising.loaders';

const DESCRIPTION = 'Totals over the days from..to (inclusive)';

@Resolver(() => KeywordType)
export class KeywordResolver {
  @FieldResolver(() => AdMetricsType, { description: DESCRIPTION })
  @Classified(Sensitivity.INTERNAL)
  metrics(@Root() keyword: Keyword, @Ctx() ctx: RequestContext, @Args() range: MetricsRangeArgs) {
    return metricsLoader(ctx, AdEntityType.KEYWORD).load({ id: keyword.keywordId, from: range.from, to: range.to });
  }
}

@Resolver(() => ProductTargetType)
export class ProductTargetResolver {
  @FieldResolver(() => AdMetricsType, { description: DESCRIPTION })
  @Classified(Sensitivity.INTERNAL)
  metrics(@Root() target: ProductTarget, @Ctx() ctx: RequestContext, @Args() range: MetricsRangeArgs) {
    return metricsLoader(ctx, AdEntityType.TARGET).load({ id: target.targetId, from: range.from, to: range.to });
  }
}

@Resolver(() => ProductAdType)
export class ProductAdResolver {
  @FieldResolver(() => AdMetricsType, { description: DESCRIPTION })
  @Classified(Sensitivity.INTERNAL)
  metrics(@Root() ad: ProductAd, @Ctx() ctx: RequestContext, @Args() range: MetricsRangeArgs) {
    return metricsLoader(ctx, AdEntityType.PRODUCT_AD).load({ id: ad.adId, from: range.from, to: range.to });
  }
}
