import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ProvenancedRow } from '../common/provenance';
import { Marketplace } from './marketplace.entity';
import { SellerAccount } from './seller-account.entity';

/** Listing status as the All Listings report spells it. */
export enum ListingStatus {
  ACTIVE = 'Active',
  INACTIVE = 'Inactive',
  INCOMPLETE = 'Incomplete',
}

/** One seller SKU offered in one marketplace (All Listings report, Listings Items API). */
@Entity('listing')
@Unique('UQ_listing_account_marketplace_sku', ['sellerAccountId', 'marketplaceId', 'sellerSku'])
@Index('IDX_listing_account_marketplace_open_date', ['sellerAccountId', 'marketplaceId', 'openDate'])
export class Listing extends ProvenancedRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

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

  @Column({ type: 'varchar', length: 100 })
  sellerSku: string;

  /** Not a foreign key: a listing may arrive before its product's catalog data. */
  @Index()
  @Column({ type: 'varchar', length: 10, nullable: true })
  asin: string | null;

  /** Seller Central listing id, e.g. `0711ZJUYPNS`. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  listingId: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  itemName: string | null;

  /** Every listing format carries a price; required so listings sort by it without gaps. */
  @Column({ type: 'numeric', precision: 14, scale: 2 })
  price: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** Empty for Amazon-fulfilled listings (the stock is Amazon's). */
  @Column({ type: 'integer', nullable: true })
  quantity: number | null;

  @Column({ type: 'varchar', length: 16 })
  status: ListingStatus;

  /** `DEFAULT` (seller-fulfilled) or `AMAZON_NA`, `AMAZON_EU`, `AMAZON_FE`... (Amazon-fulfilled). */
  @Column({ type: 'varchar', length: 20 })
  fulfillmentChannel: string;

  /** Report condition code (`11` = New) or Listings API condition (`new_new`). */
  @Column({ type: 'varchar', length: 20, nullable: true })
  itemCondition: string | null;

  /** Required so listings sort by it without gaps. */
  @Column({ type: 'timestamptz' })
  openDate: Date;
}
