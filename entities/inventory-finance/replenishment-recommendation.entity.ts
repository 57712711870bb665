import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Marketplace } from '../catalog/marketplace.entity';
import { SellerAccount } from '../catalog/seller-account.entity';
import { ProvenancedRow } from '../common/provenance';

/** A restock recommendation for one SKU (Restock Inventory Recommendations report). */
@Entity('replenishment_recommendation')
@Unique(['sellerAccountId', 'marketplaceId', 'sku', 'recommendationDate'])
export class ReplenishmentRecommendation extends ProvenancedRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  /** Day the report was produced, `YYYY-MM-DD`. */
  @Index()
  @Column({ type: 'date' })
  recommendationDate: string;

  @Column({ type: 'varchar', length: 80 })
  sku: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  asin: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  fnsku: string | null;

  @Column({ type: 'integer', default: 0 })
  recommendedQuantity: number;

  /** Total days of supply including open shipments; empty when Amazon gives none. */
  @Column({ type: 'numeric', precision: 10, scale: 1, nullable: true })
  daysOfSupply: string | null;

  /** e.g. `out_of_stock`, `reorder_now`. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  alert: string | null;

  @Column({ type: 'date', nullable: true })
  recommendedShipDate: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  recommendedAction: string | null;

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
