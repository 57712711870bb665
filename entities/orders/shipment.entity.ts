import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Marketplace } from '../catalog/marketplace.entity';
import { SellerAccount } from '../catalog/seller-account.entity';
import { ProvenancedRow } from '../common/provenance';
import { Order } from './order.entity';

/**
 * One shipped item (Amazon Fulfilled Shipments report). `orderId` links the imported order when
 * it exists; `amazonOrderId` is kept either way. No buyer name or address is stored.
 */
@Entity('shipment')
@Unique(['shipmentId', 'shipmentItemId'])
@Index(['sellerAccountId', 'marketplaceId', 'shipDate'])
export class Shipment extends ProvenancedRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  shipmentId: string;

  @Column({ type: 'varchar', length: 40 })
  shipmentItemId: string;

  @Index()
  @Column({ type: 'bigint', nullable: true })
  orderId: string | null;

  @ManyToOne(() => Order, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id', referencedColumnName: 'id' })
  order?: Order;

  @Index()
  @Column({ type: 'varchar', length: 40 })
  amazonOrderId: string;

  @Column({ type: 'varchar', length: 80 })
  sku: string;

  @Column({ type: 'integer' })
  quantityShipped: number;

  @Column({ type: 'varchar', length: 60, nullable: true })
  carrier: string | null;

  @Column({ type: 'varchar', length: 80, nullable: true })
  trackingNumber: string | null;

  @Column({ type: 'timestamptz' })
  shipDate: Date;

  @Column({ type: 'timestamptz', nullable: true })
  estimatedArrival: Date | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  fulfillmentCenterId: string | null;

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
