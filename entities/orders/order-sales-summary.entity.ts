import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Marketplace } from '../catalog/marketplace.entity';
import { SellerAccount } from '../catalog/seller-account.entity';

/**
 * Which grouping a summary row serves. Distinct order counts do not add up across SKUs or ASINs
 * (an order holds several), so each grouping keeps its own rows: DAY rows serve the day, week,
 * month and marketplace groupings, SKU and ASIN rows their own.
 */
export enum SalesSummaryKind {
  DAY = 'DAY',
  SKU = 'SKU',
  ASIN = 'ASIN',
}

/**
 * Order detail older than the AGGREGATE rule's period, rolled up per UTC purchase day (canceled
 * orders excluded, as in `salesSummary`) before the detail is deleted. `salesSummary` reads these
 * rows with the remaining detail, so its totals do not change when detail is aggregated.
 */
@Entity('order_sales_summary')
@Unique(['kind', 'sellerAccountId', 'marketplaceId', 'currency', 'day', 'groupKey'])
@Index(['day'])
export class OrderSalesSummary {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'varchar', length: 8 })
  kind: SalesSummaryKind;

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

  /** Order currency; '' when the orders had none (read back as null). */
  @Column({ type: 'varchar', length: 3, default: '' })
  currency: string;

  /** UTC purchase day, `YYYY-MM-DD`. */
  @Column({ type: 'date' })
  day: string;

  /** SKU (kind SKU), ASIN or '' (kind ASIN), '' (kind DAY). */
  @Column({ type: 'varchar', length: 80, default: '' })
  groupKey: string;

  /** Distinct orders of the group and day. */
  @Column({ type: 'integer' })
  orders: number;

  @Column({ type: 'integer' })
  units: number;

  /** Sum of item prices (line totals). */
  @Column({ type: 'numeric', precision: 16, scale: 2 })
  sales: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
