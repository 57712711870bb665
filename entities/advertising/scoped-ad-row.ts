import { Column, Index, JoinColumn, ManyToOne } from 'typeorm';
import { Marketplace } from '../catalog/marketplace.entity';
import { SellerAccount } from '../catalog/seller-account.entity';
import { ProvenancedRow } from '../common/provenance';

/** Every advertising row carries its seller account and marketplace (row scope, data policy §1). */
export abstract class ScopedAdRow extends ProvenancedRow {
  @Index()
  @Column({ type: 'varchar', length: 32 })
  sellerAccountId: string;

  @ManyToOne(() => SellerAccount)
  @JoinColumn({ name: 'seller_account_id', referencedColumnName: 'sellerId' })
  sellerAccount?: SellerAccount;

  @Index()
  @Column({ type: 'varchar', length: 20 })
  marketplaceId: string;

  @ManyToOne(() => Marketplace)
  @JoinColumn({ name: 'marketplace_id', referencedColumnName: 'marketplaceId' })
  marketplace?: Marketplace;
}
