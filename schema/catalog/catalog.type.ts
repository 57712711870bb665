// Catalog data as the API shows it: products (global by ASIN), listings (one SKU in one
// marketplace of one account), seller accounts and marketplaces. Each field declares its
// sensitivity beside it (DESIGN.md "Sensitivity of a field").
import { GraphQLJSONObject } from 'graphql-scalars';
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ListingStatus } from '../../entities/catalog';
import { Classified, DataCategory } from '../../src/policy/classification';
import { Category, MaskKind, Sensitivity } from '../../src/policy/taxonomy';
import { Connection } from '../common/connection.type';
import { DecimalScalar } from '../common/decimal.scalar';

registerEnumType(ListingStatus, { name: 'ListingStatus', description: 'Listing status (All Listings report: Active, Inactive, Incomplete)' });

// Federation 2 entity: other subgraphs may reference it by its key.
@Directive('@key(fields: "asin")')
@ObjectType('Product', { description: 'A catalog product, global by ASIN: what the marketplace shows anyway' })
@DataCategory(Category.CATALOG)
export class ProductType {
  // A surrogate key of a public record: readable under any purpose, like the ASIN it stands for.
  @Field(() => ID) @Classified(Sensitivity.PUBLIC) id: string;
  @Field() @Classified(Sensitivity.PUBLIC) asin: string;
  @Field() @Classified(Sensitivity.PUBLIC) title: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.PUBLIC) brand: string | null;
  @Field(() => String, { nullable: true, description: 'Product type or browse category' }) @Classified(Sensitivity.PUBLIC) category: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.PUBLIC) imageUrl: string | null;
  @Field(() => GraphQLJSONObject, { description: 'Product-type attributes (Listings Items API shape)' })
  @Classified(Sensitivity.PUBLIC)
  attributes: Record<string, unknown>;
}

// Federation 2 entity: other subgraphs may reference it by its key.
@Directive('@key(fields: "sellerAccountId marketplaceId sellerSku")')
@ObjectType('Listing', { description: 'One seller SKU offered in one marketplace' })
@DataCategory(Category.CATALOG)
export class ListingType {
  @Field(() => ID) @Classified(Sensitivity.INTERNAL) id: string;
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerAccountId: string;
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
  @Field() @Classified(Sensitivity.INTERNAL) sellerSku: string;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.PUBLIC) asin: string | null;
  @Field(() => String, { nullable: true, description: 'Seller Central listing id' }) @Classified(Sensitivity.INTERNAL) listingId: string | null;
  @Field(() => String, { nullable: true }) @Classified(Sensitivity.PUBLIC) itemName: string | null;
  @Field(() => DecimalScalar) @Classified(Sensitivity.INTERNAL, { mask: MaskKind.ROUND }) price: string;
  @Field() @Classified(Sensitivity.INTERNAL) currency: string;
  @Field(() => Int, { nullable: true, description: 'Empty for Amazon-fulfilled listings' }) @Classified(Sensitivity.INTERNAL) quantity: number | null;
  @Field(() => ListingStatus) @Classified(Sensitivity.INTERNAL) status: ListingStatus;
  @Field({ description: 'DEFAULT (seller-fulfilled) or AMAZON_NA, AMAZON_EU, AMAZON_FE... (Amazon-fulfilled)' })
  @Classified(Sensitivity.INTERNAL)
  fulfillmentChannel: string;
  @Field(() => String, { nullable: true, description: 'Condition code (11 = New) or Listings API condition' })
  @Classified(Sensitivity.INTERNAL)
  itemCondition: string | null;
  @Field() @Classified(Sensitivity.INTERNAL) openDate: Date;
}

// Federation 2 entity: other subgraphs may reference it by its key.
@Directive('@key(fields: "marketplaceId")')
@ObjectType('Marketplace', { description: 'An Amazon marketplace the company sells in' })
@DataCategory(Category.CATALOG)
export class MarketplaceType {
  @Field() @Classified(Sensitivity.INTERNAL) marketplaceId: string;
  @Field() @Classified(Sensitivity.INTERNAL) countryCode: string;
  @Field() @Classified(Sensitivity.INTERNAL) currencyCode: string;
  @Field({ description: 'Sales channel as reports spell it, e.g. Amazon.com' }) @Classified(Sensitivity.INTERNAL) salesChannel: string;
}

// Federation 2 entity: other subgraphs may reference it by its key.
@Directive('@key(fields: "sellerId")')
@ObjectType('SellerAccount', { description: 'A seller account the company owns or is authorized for' })
@DataCategory(Category.CATALOG)
export class SellerAccountType {
  @Field() @Classified(Sensitivity.IDENTIFIER, { mask: MaskKind.PSEUDONYM }) sellerId: string;
  @Field() @Classified(Sensitivity.INTERNAL) name: string;
  @Field() @Classified(Sensitivity.INTERNAL) authorized: boolean;
  @Field(() => [MarketplaceType], { description: "The account's marketplaces within the caller's scope" })
  @Classified(Sensitivity.INTERNAL)
  marketplaces: MarketplaceType[];
}

export const ProductConnection = Connection(ProductType, 'Product');
export const ListingConnection = Connection(ListingType, 'Listing');
