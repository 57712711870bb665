import { Arg, Args, Ctx, Query, Resolver } from 'type-graphql';
import { ProductsArgs } from '../../schema/catalog/catalog-args.type';
import { ProductConnection, ProductType } from '../../schema/catalog/catalog.type';
import type { RequestContext } from '../../src/context';
import { Classified } from '../../src/policy/classification';
import { Category, Sensitivity } from '../../src/policy/taxonomy';
import { catalogService } from './catalog.service';
import { productByAsinLoader } from './catalog.loaders';

@Resolver(() => ProductType)
export class ProductResolver {
  @Query(() => ProductConnection, { description: "Catalog products (listed within the caller's scope when scoped)" })
  @Classified(Sensitivity.PUBLIC, { category: Category.CATALOG })
  products(@Ctx() ctx: RequestContext, @Args() args: ProductsArgs) {
    return catalogService.listProducts(ctx, args);
  }

  @Query(() => ProductType, { nullable: true, description: 'One product by ASIN (null when absent or out of scope)' })
  @Classified(Sensitivity.PUBLIC, { category: Category.CATALOG })
  product(@Ctx() ctx: RequestContext, @Arg('asin') asin: string) {
    return productByAsinLoader(ctx).load(asin);
  }
}
