// Aggregated sales: measures are CONFIDENTIAL aggregates, so a k-anonymous group may be shown in
// full to a role that otherwise sees money masked; `orders` is the group size for that test.
import { ArgsType, Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Classified, DataCategory } from '../../src/policy/classification';
import { Category, MaskKind, Sensitivity } from '../../src/policy/taxonomy';
import { DecimalScalar } from '../common/decimal.scalar';

export enum SalesGroupBy {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  ASIN = 'ASIN',
  SKU = 'SKU',
  MARKETPLACE = 'MARKETPLACE',
}
registerEnumType(SalesGroupBy, {
  name: 'SalesGroupBy',
  description: 'DAY: YYYY-MM-DD, WEEK: Monday YYYY-MM-DD (ISO week), MONTH: YYYY-MM, all in UTC',
});

@ArgsType()
export class SalesSummaryArgs {
  @Field(() => SalesGroupBy)
  groupBy: SalesGroupBy;

  @Field(() => Date, { description: 'Purchase time from (inclusive); a date such as 2026-10-01 means the start of that UTC day; midnight UTC when sales are seen only in k-anonymous groups' })
  from: Date;

  @Field(() => Date, { description: 'Purchase time up to (exclusive); a date means the start of that UTC day, so to: "2026-11-01" ends with October 31; midnight UTC when sales are seen only in k-anonymous groups' })
  to: Date;

  @Field(() => String, { nullable: true })
  account?: string;

  @Field(() => String, { nullable: true })
  marketplace?: string;
}

@ObjectType('SalesGroup', {
  description:
    'Sales of one group in one currency (canceled orders excluded): amounts in different currencies are never added, so a key (a month, an ASIN) appears once per currency its orders were paid in',
})
@DataCategory(Category.ORDERS)
export class SalesGroupType {
  @Field({ description: 'The group: DAY YYYY-MM-DD, WEEK Monday YYYY-MM-DD, MONTH YYYY-MM (UTC), or the ASIN, SKU or marketplace id; with currency, identifies the group' })
  @Classified(Sensitivity.INTERNAL)
  key: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.INTERNAL) currency: string | null;
  @Field(() => Int, { nullable: true, description: 'Distinct orders in the group (its size for the k threshold)' })
  @Classified(Sensitivity.CONFIDENTIAL, { aggregate: true, mask: MaskKind.ROUND, groupSize: true })
  orders: number;
  @Field(() => Int, { nullable: true }) @Classified(Sensitivity.CONFIDENTIAL, { aggregate: true, mask: MaskKind.ROUND }) units: number;
  @Field(() => DecimalScalar, { nullable: true, description: 'Sum of item prices (line totals)' })
  @Classified(Sensitivity.CONFIDENTIAL, { aggregate: true, mask: MaskKind.ROUND })
  sales: string;
  @Field(() => DecimalScalar, { nullable: true }) @Classified(Sensitivity.CONFIDENTIAL, { aggregate: true, mask: MaskKind.ROUND }) averageOrderValue: string;
}

@ObjectType('SalesSummary')
@DataCategory(Category.ORDERS)
export class SalesSummaryType {
  @Field(() => [SalesGroupType]) @Classified(Sensitivity.INTERNAL) groups: SalesGroupType[];
  @Field(() => Int, { description: 'Groups withheld because they cover fewer than k orders' })
  @Classified(Sensitivity.INTERNAL)
  suppressedGroups: number;
  @Field(() => Int, {
    description:
      'Day bins (UTC day x account x marketplace x currency, or their ASIN/SKU bins) left out of every figure because they, or a bin that would let them be recovered by difference, cover fewer than k orders; 0 when sales are seen in full',
  })
  @Classified(Sensitivity.INTERNAL)
  suppressedBins: number;
}
