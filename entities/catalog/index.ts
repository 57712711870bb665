import { Marketplace } from './marketplace.entity';
import { SellerAccount } from './seller-account.entity';

export { Marketplace, SellerAccount };
export const catalogEntities: Function[] = [SellerAccount, Marketplace];
