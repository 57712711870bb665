import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { AdEntityType, type AdGroup } from '../../entities/advertising';
import { AdGroupType, KeywordType, ProductAdType, ProductTargetType } from '../../schema/advertising/advertising.type';
import { AdMetricsType, MetricsRangeArgs } from '../../schema/advertising/ad-metrics.type';
import type { RequestContext } from '../../src/context';
import { Classified } from '../../src/policy/classification';
import { Sensitivity } from '../../src/policy/taxonomy';
import { keywordsLoader, metricsLoader, productAdsLoader, productTargetsLoader } from './advertising.loaders';

@Resolver(() => AdGroupType)
export class AdGroupResolver {
  @FieldResolver(() => [KeywordType])
  @Classified(Sensitivity.INTERNAL)
  keywords(@Root() adGroup: AdGroup, @Ctx() ctx: RequestContext) {
    return keywordsLoader(ctx).load(adGroup.adGroupId);
  }

  @FieldResolver(() => [ProductTargetType])
  @Classified(Sensitivity.INTERNAL)
  productTargets(@Root() adGroup: AdGroup, @Ctx() ctx: RequestContext) {
    return productTargetsLoader(ctx).load(adGroup.adGroupId);
  }

  @FieldResolver(() => [ProductAdType])
  @Classified(Sensitivity.INTERNAL)
  productAds(@Root() adGroup: AdGroup, @Ctx() ctx: RequestContext) {
    return productAdsLoader(ctx).load(adGroup.adGroupId);
  }

  @FieldResolver(() => AdMetricsType, { description: 'Totals over the days from..to (inclusive)' })
  @Classified(Sensitivity.INTERNAL)
  metrics(@Root() adGroup: AdGroup, @Ctx() ctx: RequestContext, @Args() range: MetricsRangeArgs) {
    return metricsLoader(ctx, AdEntityType.AD_GROUP).load({ id: adGroup.adGroupId, from: range.from, to: range.to });
  }
}
