import { Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { Marketplace } from '../catalog/marketplace.entity';
import { SellerAccount } from '../catalog/seller-account.entity';
import { ProvenancedRow } from '../common/provenance';
import type { OrderItem } from './order-item.entity';

/** Order status as the Orders API spells it (reports say `Cancelled`; importers normalise it). */
export enum OrderStatus {
  PENDING = 'Pending',
  UNSHIPPED = 'Unshipped',
  PARTIALLY_SHIPPED = 'PartiallyShipped',
  SHIPPED = 'Shipped',
  SHIPPING = 'Shipping',
  CANCELED = 'Canceled',
  UNFULFILLABLE = 'Unfulfillable',
  INVOICE_UNCONFIRMED = 'InvoiceUnconfirmed',
  PENDING_AVAILABILITY = 'PendingAvailability',
}

/** Who fulfils the order: Amazon (AFN, reports say `Amazon`) or the merchant (MFN, `Merchant`). */
export enum FulfillmentChannel {
  AFN = 'AFN',
  MFN = 'MFN',
}

/** One Amazon order (ORDERS). The ship city and buyer details are never stored. */
@Entity('amazon_order')
@Index(['sellerAccountId', 'marketplaceId', 'purchaseDate'])
@Index(['purchaseDate'])
export class Order extends ProvenancedRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  /** 3-7-7 order id, e.g. `112-8095165-5463447`: the natural key importers upsert on. */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 40 })
  amazonOrderId: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  merchantOrderId: string | null;

  @Column({ type: 'timestamptz' })
  purchaseDate: Date;

  @Column({ type: 'timestamptz' })
  lastUpdateDate: Date;

  @Column({ type: 'varchar', length: 32 })
  status: OrderStatus;

  @Column({ type: 'varchar', length: 3 })
  fulfillmentChannel: FulfillmentChannel;

  /** e.g. `Amazon.com`, `Non-Amazon`. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  salesChannel: string | null;

  @Column({ type: 'varchar', length: 60, nullable: true })
  orderChannel: string | null;

  @Column({ type: 'varchar', length: 60, nullable: true })
  shipServiceLevel: string | null;

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

  /** Empty while the order is pending (Amazon does not price pending orders). */
  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  orderTotal: string | null;

  @Column({ type: 'char', length: 3, nullable: true })
  currency: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  shipState: string | null;

  @Column({ type: 'char', length: 2, nullable: true })
  shipCountry: string | null;

  /** Personal: cleared by retention 30 days after delivery. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  shipPostalCode: string | null;

  @Column({ type: 'boolean', default: false })
  isBusinessOrder: boolean;

  /** When the order was delivered; retention clears personal data 30 days later. */
  @Index()
  @Column({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;

  @OneToMany('OrderItem', 'order')
  items?: OrderItem[];
}
