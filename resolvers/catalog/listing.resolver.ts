import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Listing } from '../../entities/catalog';
import { ListingsArgs } from '../../schema/catalog/catalog-args.type';
import { ListingConnection, ListingType, ProductType } from '../../schema/catalog/catalog.type';
import type { RequestContext } from '../../src/context';
import { Classified } from '../../src/policy/classification';
import { Category, Sensitivity } from '../../src/policy/taxonomy';
import { catalogService } from './catalog.service';
import { productByAsinLoader } from './catalog.loaders';

@Resolver(() => ListingType)
export class ListingResolver {
  @Query(() => ListingConnection, { description: "Listings within the caller's accounts and marketplaces" })
  @Classified(Sensitivity.INTERNAL, { category: Category.CATALOG })
  listings(@Ctx() ctx: RequestContext, @Args() args: ListingsArgs) {
    return catalogService.listListings(ctx, args);
  }

  @Query(() => ListingType, { nullable: true, description: 'One listing by account, marketplace and SKU (null when absent or out of scope)' })
  @Classified(Sensitivity.INTERNAL, { category: Category.CATALOG })
  listing(
    @Ctx() ctx: RequestContext,
    @Arg('sellerAccountId', { description: 'Seller account id, as the caller sees it: its pseudonym where sellerAccountId is masked' }) sellerAccountId: string,
    @Arg('marketplaceId') marketplaceId: string,
    @Arg('sku') sku: string,
  ) {
    return catalogService.listingAsSeen(ctx, sellerAccountId, marketplaceId, sku);
  }

  @FieldResolver(() => ProductType, { nullable: true, description: 'Catalog data of the listed ASIN' })
  @Classified(Sensitivity.PUBLIC, { category: Category.CATALOG })
  product(@Root() listing: Listing, @Ctx() ctx: RequestContext) {
    return listing.asin ? productByAsinLoader(ctx).load(listing.asin) : null;
  }
}
