import { AdDailyMetric } from './ad-daily-metric.entity';
import { AdGroup } from './ad-group.entity';
import { AdEntityType, AdState, KeywordMatchType, TargetingType } from './ad-state';
import { Campaign } from './campaign.entity';
import { Keyword } from './keyword.entity';
import { ProductAd } from './product-ad.entity';
import { ProductTarget, type TargetExpressionClause } from './product-target.entity';

export { AdDailyMetric, AdEntityType, AdGroup, AdState, Campaign, Keyword, KeywordMatchType, ProductAd, ProductTarget, TargetingType };
export type { TargetExpressionClause };
export const advertisingEntities: Function[] = [Campaign, AdGroup, Keyword, ProductTarget, ProductAd, AdDailyMetric];
