import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Marketplace } from '../catalog/marketplace.entity';
import { SellerAccount } from '../catalog/seller-account.entity';
import { ProvenancedRow } from '../common/provenance';

/** FBA stock of one SKU on one day (Manage FBA Inventory report or FBA Inventory API). */
@Entity('inventory_snapshot')
@Unique(['sellerAccountId', 'marketplaceId', 'sku', 'snapshotDate'])
@Index(['snapshotDate'])
export class InventorySnapshot extends ProvenancedRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  /** Calendar day of the snapshot, `YYYY-MM-DD`. */
  @Column({ type: 'date' })
  snapshotDate: string;

  @Column({ type: 'varchar', length: 80 })
  sku: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  fnsku: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  asin: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  condition: string | null;

  @Column({ type: 'integer', default: 0 })
  fulfillable: number;

  @Column({ type: 'integer', default: 0 })
  inboundWorking: number;

  @Column({ type: 'integer', default: 0 })
  inboundShipped: number;

  @Column({ type: 'integer', default: 0 })
  inboundReceiving: number;

  /** inboundWorking + inboundShipped + inboundReceiving. */
  @Column({ type: 'integer', default: 0 })
  inbound: number;

  @Column({ type: 'integer', default: 0 })
  reserved: number;

  @Column({ type: 'integer', default: 0 })
  unfulfillable: number;

  @Column({ type: 'integer', default: 0 })
  total: number;

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
