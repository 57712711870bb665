import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { AdEntityType, type Campaign } from '../../entities/advertising';
import { CampaignsArgs } from '../../schema/advertising/advertising-args.type';
import { AdGroupType, CampaignConnection, CampaignType } from '../../schema/advertising/advertising.type';
import { AdDailyMetricsType, AdMetricsType, MetricsRangeArgs } from '../../schema/advertising/ad-metrics.type';
import type { RequestContext } from '../../src/context';
import { Classified } from '../../src/policy/classification';
import { Category, Sensitivity } from '../../src/policy/taxonomy';
import { adGroupsLoader, campaignDailyLoader, campaignLoader, metricsLoader } from './advertising.loaders';
import { campaignService } from './campaign.service';

@Resolver(() => CampaignType)
export class CampaignResolver {
  @Query(() => CampaignConnection, { description: "Sponsored Products campaigns within the caller's accounts and marketplaces" })
  @Classified(Sensitivity.INTERNAL, { category: Category.ADVERTISING })
  campaigns(@Ctx() ctx: RequestContext, @Args() args: CampaignsArgs) {
    return campaignService.list(ctx, args);
  }

  @Query(() => CampaignType, { nullable: true, description: 'One campaign by Ads campaign id (null when absent or out of scope)' })
  @Classified(Sensitivity.INTERNAL, { category: Category.ADVERTISING })
  campaign(@Ctx() ctx: RequestContext, @Arg('campaignId') campaignId: string) {
    return campaignLoader(ctx).load(campaignId);
  }

  @FieldResolver(() => [AdGroupType])
  @Classified(Sensitivity.INTERNAL)
  adGroups(@Root() campaign: Campaign, @Ctx() ctx: RequestContext) {
    return adGroupsLoader(ctx).load(campaign.campaignId);
  }

  @FieldResolver(() => AdMetricsType, { description: 'Totals over the days from..to (inclusive)' })
  @Classified(Sensitivity.INTERNAL)
  metrics(@Root() campaign: Campaign, @Ctx() ctx: RequestContext, @Args() range: MetricsRangeArgs) {
    return metricsLoader(ctx, AdEntityType.CAMPAIGN).load({ id: campaign.campaignId, from: range.from, to: range.to });
  }

  @FieldResolver(() => [AdDailyMetricsType], { description: 'One entry per day with impressions, from..to (inclusive)' })
  @Classified(Sensitivity.INTERNAL)
  dailyMetrics(@Root() campaign: Campaign, @Ctx() ctx: RequestContext, @Args() range: MetricsRangeArgs) {
    return campaignDailyLoader(ctx).load({ id: campaign.campaignId, from: range.from, to: range.to });
  }
}
