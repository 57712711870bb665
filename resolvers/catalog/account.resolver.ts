import { Ctx, Query, Resolver } from 'type-graphql';
import { MarketplaceType, SellerAccountType } from '../../schema/catalog/catalog.type';
import type { RequestContext } from '../../src/context';
import { Classified } from '../../src/policy/classification';
import { Category, Sensitivity } from '../../src/policy/taxonomy';
import { catalogService } from './catalog.service';

@Resolver(() => SellerAccountType)
export class SellerAccountResolver {
  @Query(() => [SellerAccountType], { description: "Seller accounts within the caller's scope" })
  @Classified(Sensitivity.INTERNAL, { category: Category.CATALOG })
  sellerAccounts(@Ctx() ctx: RequestContext) {
    return catalogService.sellerAccounts(ctx);
  }

  @Query(() => [MarketplaceType], { description: "Marketplaces within the caller's scope" })
  @Classified(Sensitivity.INTERNAL, { category: Category.CATALOG })
  marketplaces(@Ctx() ctx: RequestContext) {
    return catalogService.marketplaces(ctx);
  }
}
