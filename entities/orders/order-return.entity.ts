import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Marketplace } from '../catalog/marketplace.entity';
import { SellerAccount } from '../catalog/seller-account.entity';
import { ProvenancedRow } from '../common/provenance';

/** Which returns report the row came from: FBA customer returns or MFN (seller-fulfilled) returns. */
export enum ReturnSourceKind {
  FBA = 'FBA',
  MFN = 'MFN',
}

/**
 * A customer return. `amazonOrderId` is a plain string: the order may not be imported.
 * `returnKey` is the natural key within account and source: the license plate number (FBA) or
 * the Amazon RMA id (MFN); importers derive one from order, SKU and date when the report has none.
 */
@Entity('order_return')
@Unique(['sellerAccountId', 'sourceKind', 'returnKey', 'sku'])
@Index(['sellerAccountId', 'marketplaceId', 'returnDate'])
export class OrderReturn extends ProvenancedRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'varchar', length: 3 })
  sourceKind: ReturnSourceKind;

  @Column({ type: 'varchar', length: 100 })
  returnKey: string;

  @Column({ type: 'timestamptz' })
  returnDate: Date;

  @Index()
  @Column({ type: 'varchar', length: 40 })
  amazonOrderId: string;

  @Column({ type: 'varchar', length: 80 })
  sku: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  asin: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  fnsku: string | null;

  @Column({ type: 'integer' })
  quantity: number;

  @Column({ type: 'varchar', length: 100, nullable: true })
  reason: string | null;

  /** FBA detailed disposition (`SELLABLE`, `CUSTOMER_DAMAGED`, ...) or MFN resolution. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  disposition: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  status: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  fulfillmentCenterId: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  licensePlateNumber: string | null;

  /** Free text typed by the buyer: personal data, cleared by retention. */
  @Column({ type: 'text', nullable: true })
  customerComments: string | null;

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
