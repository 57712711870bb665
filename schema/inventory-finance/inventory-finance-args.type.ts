// Filters and sort of the inventory-finance lists. Day ranges (`fromDate`/`toDate`) are inclusive;
// instant ranges (`from`/`to`) are half-open [from, to).
import { GraphQLLocalDate } from 'graphql-scalars';
import { ArgsType, Field, registerEnumType } from 'type-graphql';
import { PageArgs } from '../common/connection.type';
import { SortDirection } from '../common/sort-direction.type';

export enum InventorySortField {
  SNAPSHOT_DATE = 'snapshotDate',
  SKU = 'sku',
  FULFILLABLE = 'fulfillable',
}
registerEnumType(InventorySortField, { name: 'InventorySortField' });

export enum ReplenishmentSortField {
  RECOMMENDATION_DATE = 'recommendationDate',
  RECOMMENDED_QUANTITY = 'recommendedQuantity',
}
registerEnumType(ReplenishmentSortField, { name: 'ReplenishmentSortField' });

export enum FeeEstimateSortField {
  ESTIMATE_DATE = 'estimateDate',
  SKU = 'sku',
}
registerEnumType(FeeEstimateSortField, { name: 'FeeEstimateSortField' });

export enum SettlementSortField {
  END_DATE = 'endDate',
  START_DATE = 'startDate',
}
registerEnumType(SettlementSortField, { name: 'SettlementSortField' });

export enum RefundSortField {
  POSTED_DATE = 'postedDate',
}
registerEnumType(RefundSortField, { name: 'RefundSortField' });

@ArgsType()
class AccountMarketplaceArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Seller account id, as the caller sees it: its pseudonym where sellerAccountId is masked' })
  account?: string;

  @Field(() => String, { nullable: true, description: 'Marketplace id, e.g. ATVPDKIKX0DER' })
  marketplace?: string;

  @Field(() => SortDirection, { nullable: true, description: 'Default DESC (newest first)' })
  direction?: SortDirection;
}

/** Lists of daily rows (snapshots, recommendations, fee previews). */
@ArgsType()
export class DailySkuArgs extends AccountMarketplaceArgs {
  @Field(() => GraphQLLocalDate, { nullable: true, description: 'From this day (inclusive)' })
  fromDate?: string;

  @Field(() => GraphQLLocalDate, { nullable: true, description: 'Up to this day (inclusive)' })
  toDate?: string;

  @Field(() => String, { nullable: true })
  sku?: string;

  @Field(() => String, { nullable: true })
  asin?: string;
}

@ArgsType()
export class InventoryArgs extends DailySkuArgs {
  @Field(() => InventorySortField, { nullable: true, description: 'Default SNAPSHOT_DATE' })
  sortBy?: InventorySortField;
}

@ArgsType()
export class ReplenishmentArgs extends DailySkuArgs {
  @Field(() => ReplenishmentSortField, { nullable: true, description: 'Default RECOMMENDATION_DATE' })
  sortBy?: ReplenishmentSortField;
}

@ArgsType()
export class FeeEstimatesArgs extends DailySkuArgs {
  @Field(() => FeeEstimateSortField, { nullable: true, description: 'Default ESTIMATE_DATE' })
  sortBy?: FeeEstimateSortField;
}

@ArgsType()
export class SettlementsArgs extends AccountMarketplaceArgs {
  @Field(() => Date, { nullable: true, description: 'Settlement period ending at or after this instant' })
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Settlement period ending before this instant' })
  to?: Date;

  @Field(() => SettlementSortField, { nullable: true, description: 'Default END_DATE' })
  sortBy?: SettlementSortField;
}

@ArgsType()
export class RefundsArgs extends AccountMarketplaceArgs {
  @Field(() => Date, { nullable: true, description: 'Posted from this instant (inclusive)' })
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Posted up to this instant (exclusive)' })
  to?: Date;

  @Field(() => String, { nullable: true })
  sku?: string;

  @Field(() => String, { nullable: true, description: 'Amazon order id' })
  orderId?: string;

  @Field(() => RefundSortField, { nullable: true, description: 'Default POSTED_DATE' })
  sortBy?: RefundSortField;
}
