// Resolvers of the catalog category: this list alone can serve the category as a subgraph.
import { SellerAccountResolver } from './account.resolver';
import { ListingResolver } from './listing.resolver';
import { ProductResolver } from './product.resolver';

export const catalogResolvers: Function[] = [ProductResolver, ListingResolver, SellerAccountResolver];
