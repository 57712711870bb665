import { Column, JoinColumn, ManyToOne } from 'typeorm';
import { Marketplace } from '../catalog/marketplace.entity';
import { SellerAccount } from '../catalog/seller-account.entity';
import { ProvenancedRow } from '../common/provenance';

/**
 * Every advertising row carries its seller account and marketplace (row scope, data policy §1).
 * Not indexed here: scope narrows queries that already select by campaign, ad group or date.
 */
export abstract class ScopedAdRow extends ProvenancedRow {
  @Column({ type: 'varchar', length: 32 })
  sellerAccountId: string;

  @ManyToOne(() => SellerAccount)
  @JoinColumn({ name: 'seller_account_id', referencedColumnName: 'sellerId' })
  sellerAccount?: SellerAccount;

  @Column({ type: 'varchar', length: 20 })
  marketplaceId: string;

  @ManyToOne(() => Marketplace)
  @JoinColumn({ name: 'marketplace_id', referencedColumnName: 'marketplaceId' })
  marketplace?: Marketplace;
}
