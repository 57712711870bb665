import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Marketplace } from '../catalog/marketplace.entity';
import { SellerAccount } from '../catalog/seller-account.entity';
import { ProvenancedRow } from '../common/provenance';

/** Estimated Amazon fees per unit for one SKU (FBA Fee Preview report). */
@Entity('fee_estimate')
@Unique(['sellerAccountId', 'marketplaceId', 'sku', 'estimateDate'])
export class FeeEstimate extends ProvenancedRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  /** Day of the fee preview, `YYYY-MM-DD`. */
  @Index()
  @Column({ type: 'date' })
  estimateDate: string;

  @Column({ type: 'varchar', length: 80 })
  sku: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  asin: string | null;

  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  estimatedFeeTotal: string | null;

  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  referralFee: string | null;

  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  fulfillmentFee: string | null;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'varchar', length: 32 })
  sellerAccountId: string;

  @ManyToOne(() => SellerAccount, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'seller_account_id', referencedColumnName: 'sellerId' })
  sellerAccount?: SellerAccount;

  @Column({ type: 'varchar', length: 20 })
  marketplaceId: string;

  @ManyToOne(() => Marketplace, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'marketplace_id', referencedColumnName: 'marketplaceId' })
  marketplace?: Marketplace;
}
