import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Marketplace } from '../catalog/marketplace.entity';
import { SellerAccount } from '../catalog/seller-account.entity';
import { ProvenancedRow } from '../common/provenance';

/** A refund posted for an order line (settlement or Finances API refund events). */
@Entity('refund')
@Unique(['sellerAccountId', 'marketplaceId', 'orderId', 'sku', 'postedDate', 'refundType'])
@Index(['sellerAccountId', 'marketplaceId', 'postedDate'])
export class Refund extends ProvenancedRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Index()
  @Column({ type: 'varchar', length: 40 })
  orderId: string;

  @Column({ type: 'varchar', length: 80 })
  sku: string;

  @Column({ type: 'timestamptz' })
  postedDate: Date;

  /** Refunded amount (negative, as settlements show it). */
  @Column({ type: 'numeric', precision: 14, scale: 2 })
  amount: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** Reason or charge type, e.g. `Principal`, `CUSTOMER_RETURN`. */
  @Column({ type: 'varchar', length: 80 })
  refundType: string;

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
