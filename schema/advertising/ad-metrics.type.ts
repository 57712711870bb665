// Advertising performance: totals of the daily metrics over a date range, with the derived
// ratios. Money and performance are CONFIDENTIAL (masked by rounding); counts of impressions and
// clicks are operational (INTERNAL). Sales and orders are 7-day attributed.
import { GraphQLLocalDate } from 'graphql-scalars';
import { ArgsType, Field, Float, Int, ObjectType } from 'type-graphql';
import { Classified, DataCategory } from '../../src/policy/classification';
import { Category, MaskKind, Sensitivity } from '../../src/policy/taxonomy';
import { DecimalScalar } from '../common/decimal.scalar';

const money = { mask: MaskKind.ROUND } as const;

@ObjectType('AdMetrics', { description: 'Totals over a date range; a ratio is null when its divisor is 0' })
@DataCategory(Category.ADVERTISING)
export class AdMetricsType {
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) impressions: number;
  @Field(() => Int) @Classified(Sensitivity.INTERNAL) clicks: number;
  @Field(() => DecimalScalar, { description: 'Cost of the clicks' }) @Classified(Sensitivity.CONFIDENTIAL, money) spend: string;
  @Field(() => DecimalScalar, { description: '7-day attributed sales' }) @Classified(Sensitivity.CONFIDENTIAL, money) sales: string;
  @Field(() => Int, { description: '7-day attributed purchases' }) @Classified(Sensitivity.CONFIDENTIAL, money) orders: number;
  @Field(() => Int, { description: '7-day attributed units' }) @Classified(Sensitivity.CONFIDENTIAL, money) units: number;
  @Field(() => Float, { nullable: true, description: 'Click-through rate: clicks / impressions' })
  @Classified(Sensitivity.CONFIDENTIAL, money)
  ctr: number | null;
  @Field(() => Float, { nullable: true, description: 'Cost per click: spend / clicks' }) @Classified(Sensitivity.CONFIDENTIAL, money) cpc: number | null;
  @Field(() => Float, { nullable: true, description: 'Advertising cost of sales: spend / sales' })
  @Classified(Sensitivity.CONFIDENTIAL, money)
  acos: number | null;
  @Field(() => Float, { nullable: true, description: 'Return on ad spend: sales / spend' }) @Classified(Sensitivity.CONFIDENTIAL, money) roas: number | null;
}

@ObjectType('AdDailyMetrics', { description: 'One day of a campaign; days without impressions have no entry' })
@DataCategory(Category.ADVERTISING)
export class AdDailyMetricsType extends AdMetricsType {
  @Field(() => GraphQLLocalDate) @Classified(Sensitivity.INTERNAL) date: string;
}

/** Date range of a metrics field; both ends inclusive (Ads reports are by day). */
@ArgsType()
export class MetricsRangeArgs {
  @Field(() => GraphQLLocalDate, { description: 'First day (inclusive), YYYY-MM-DD' })
  from: string;

  @Field(() => GraphQLLocalDate, { description: 'Last day (inclusive), YYYY-MM-DD' })
  to: string;
}
