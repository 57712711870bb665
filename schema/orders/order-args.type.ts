// Filters and sort of the orders category's lists. Date ranges are half-open: [from, to).
import { ArgsType, Field, registerEnumType } from 'type-graphql';
import { FulfillmentChannel, OrderStatus, ReturnSourceKind } from '../../entities/orders';
import { PageArgs } from '../common/connection.type';
import { SortDirection } from '../common/sort-direction.type';

export enum OrderSortField {
  PURCHASE_DATE = 'purchaseDate',
  LAST_UPDATE_DATE = 'lastUpdateDate',
}
registerEnumType(OrderSortField, { name: 'OrderSortField' });

export enum ReturnSortField {
  RETURN_DATE = 'returnDate',
}
registerEnumType(ReturnSortField, { name: 'ReturnSortField' });

/** Account, marketplace and date range filters shared by the category's lists. */
@ArgsType()
export class ScopedRangeArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Seller account id, as the caller sees it: its pseudonym where sellerAccountId is masked' })
  account?: string;

  @Field(() => String, { nullable: true, description: 'Marketplace id, e.g. ATVPDKIKX0DER' })
  marketplace?: string;

  @Field(() => Date, { nullable: true, description: 'From this instant (inclusive)' })
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Up to this instant (exclusive)' })
  to?: Date;

  @Field(() => String, { nullable: true })
  sku?: string;

  @Field(() => String, { nullable: true })
  asin?: string;

  @Field(() => SortDirection, { nullable: true, description: 'Default DESC (newest first)' })
  direction?: SortDirection;
}

@ArgsType()
export class OrdersArgs extends ScopedRangeArgs {
  @Field(() => [OrderStatus], { nullable: true, description: 'Any of these statuses' })
  status?: OrderStatus[];

  @Field(() => FulfillmentChannel, { nullable: true })
  fulfillmentChannel?: FulfillmentChannel;

  @Field(() => OrderSortField, { nullable: true, description: 'Default PURCHASE_DATE; the date range applies to it' })
  sortBy?: OrderSortField;
}

@ArgsType()
export class ReturnsArgs extends ScopedRangeArgs {
  @Field(() => ReturnSourceKind, { nullable: true })
  sourceKind?: ReturnSourceKind;

  @Field(() => String, { nullable: true, description: 'Amazon order id' })
  amazonOrderId?: string;

  @Field(() => ReturnSortField, { nullable: true, description: 'Default RETURN_DATE' })
  sortBy?: ReturnSortField;
}
