// Filters and sort of the catalog lists. Sort field values are entity properties.
import { ArgsType, Field, registerEnumType } from 'type-graphql';
import { ListingStatus } from '../../entities/catalog';
import { PageArgs } from '../common/connection.type';
import { SortDirection } from '../common/sort-direction.type';

export enum ProductSortField {
  ASIN = 'asin',
  TITLE = 'title',
}
registerEnumType(ProductSortField, { name: 'ProductSortField' });

export enum ListingSortField {
  OPEN_DATE = 'openDate',
  SKU = 'sellerSku',
  PRICE = 'price',
}
registerEnumType(ListingSortField, { name: 'ListingSortField' });

@ArgsType()
export class ProductsArgs extends PageArgs {
  @Field(() => String, { nullable: true })
  asin?: string;

  @Field(() => String, { nullable: true, description: 'Exact brand' })
  brand?: string;

  @Field(() => String, { nullable: true, description: 'Words the title contains (case-insensitive)' })
  search?: string;

  @Field(() => ProductSortField, { nullable: true, description: 'Default TITLE' })
  sortBy?: ProductSortField;

  @Field(() => SortDirection, { nullable: true, description: 'Default ASC' })
  direction?: SortDirection;
}

@ArgsType()
export class ListingsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Seller account id, as the caller sees it: its pseudonym where sellerAccountId is masked' })
  account?: string;

  @Field(() => String, { nullable: true, description: 'Marketplace id, e.g. ATVPDKIKX0DER' })
  marketplace?: string;

  @Field(() => [ListingStatus], { nullable: true, description: 'Any of these statuses' })
  status?: ListingStatus[];

  @Field(() => String, { nullable: true, description: 'Exact seller SKU' })
  sku?: string;

  @Field(() => String, { nullable: true })
  asin?: string;

  @Field(() => Date, { nullable: true, description: 'Opened at or after this instant' })
  openedFrom?: Date;

  @Field(() => Date, { nullable: true, description: 'Opened before this instant (exclusive)' })
  openedTo?: Date;

  @Field(() => ListingSortField, { nullable: true, description: 'Default OPEN_DATE' })
  sortBy?: ListingSortField;

  @Field(() => SortDirection, { nullable: true, description: 'Default DESC (newest first) for OPEN_DATE, else ASC' })
  direction?: SortDirection;
}
