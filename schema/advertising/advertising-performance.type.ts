// Advertising performance aggregated in SQL by campaign, ad group or day. Measures are
// CONFIDENTIAL aggregates: a group covering at least k entities may be shown in full to a role
// that otherwise sees them masked; `entityCount` is the group size for that test.
import { GraphQLLocalDate } from 'graphql-scalars';
import { ArgsType, Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Classified, DataCategory } from '../../src/policy/classification';
import { Category, MaskKind, Sensitivity } from '../../src/policy/taxonomy';
import { DecimalScalar } from '../common/decimal.scalar';

export enum AdvertisingGroupBy {
  CAMPAIGN = 'CAMPAIGN',
  AD_GROUP = 'AD_GROUP',
  DAY = 'DAY',
}
registerEnumType(AdvertisingGroupBy, {
  name: 'AdvertisingGroupBy',
  description: 'CAMPAIGN: key campaign id; AD_GROUP: key ad group id; DAY: key YYYY-MM-DD (one row per day and currency)',
});

@ArgsType()
export class AdvertisingPerformanceArgs {
  @Field(() => AdvertisingGroupBy)
  groupBy: AdvertisingGroupBy;

  @Field(() => GraphQLLocalDate, { description: 'First day (inclusive)' })
  from: string;

  @Field(() => GraphQLLocalDate, { description: 'Last day (inclusive)' })
  to: string;

  @Field(() => String, { nullable: true, description: 'Seller account id, as the caller sees it: its pseudonym where sellerAccountId is masked' })
  account?: string;

  @Field(() => String, { nullable: true, description: 'Marketplace id' })
  marketplace?: string;
}

const measure = { aggregate: true, mask: MaskKind.ROUND } as const;

@ObjectType('AdvertisingPerformanceGroup', { description: 'Performance of one group in one currency' })
@DataCategory(Category.ADVERTISING)
export class AdvertisingPerformanceGroupType {
  @Field() @Classified(Sensitivity.INTERNAL) key: string;
  @Field({ description: 'Campaign or ad group name; the day for DAY' }) @Classified(Sensitivity.INTERNAL) label: string;
  @Field() @Classified(Sensitivity.INTERNAL) currency: string;
  @Field(() => Int) @Classified(Sensitivity.CONFIDENTIAL, measure) impressions: number;
  @Field(() => Int) @Classified(Sensitivity.CONFIDENTIAL, measure) clicks: number;
  @Field(() => DecimalScalar) @Classified(Sensitivity.CONFIDENTIAL, measure) spend: string;
  @Field(() => DecimalScalar) @Classified(Sensitivity.CONFIDENTIAL, measure) sales: string;
  @Field(() => Int) @Classified(Sensitivity.CONFIDENTIAL, measure) orders: number;
  @Field(() => Int) @Classified(Sensitivity.CONFIDENTIAL, measure) units: number;
  @Field(() => Float, { nullable: true }) @Classified(Sensitivity.CONFIDENTIAL, measure) acos: number | null;
  @Field(() => Float, { nullable: true }) @Classified(Sensitivity.CONFIDENTIAL, measure) roas: number | null;
  @Field(() => Int, {
    description: 'Distinct entities the group covers: campaigns (DAY), ad groups (CAMPAIGN), keywords and targets (AD_GROUP)',
  })
  @Classified(Sensitivity.INTERNAL)
  entityCount: number;
}

@ObjectType('AdvertisingPerformance')
@DataCategory(Category.ADVERTISING)
export class AdvertisingPerformanceType {
  @Field(() => [AdvertisingPerformanceGroupType]) @Classified(Sensitivity.INTERNAL) groups: AdvertisingPerformanceGroupType[];
  @Field(() => Int, { description: 'Groups withheld because they cover fewer than k entities' })
  @Classified(Sensitivity.INTERNAL)
  suppressedGroups: number;
}
