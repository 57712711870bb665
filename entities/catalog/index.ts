import { Listing, ListingStatus } from './listing.entity';
import { Marketplace } from './marketplace.entity';
import { Product } from './product.entity';
import { SellerAccount } from './seller-account.entity';

export { Listing, ListingStatus, Marketplace, Product, SellerAccount };
export const catalogEntities: Function[] = [SellerAccount, Marketplace, Product, Listing];
