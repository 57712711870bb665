// Resolvers of the advertising category: this list alone can serve the category as a subgraph.
import { AdGroupResolver } from './ad-group.resolver';
import { AdvertisingPerformanceResolver } from './advertising-performance.resolver';
import { CampaignResolver } from './campaign.resolver';
import { KeywordResolver, ProductAdResolver, ProductTargetResolver } from './targeting.resolver';

export const advertisingResolvers: Function[] = [
  CampaignResolver,
  AdGroupResolver,
  KeywordResolver,
  ProductTargetResolver,
  ProductAdResolver,
  AdvertisingPerformanceResolver,
];
