import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ProvenancedRow } from '../common/provenance';
import { Order } from './order.entity';

/**
 * One line of an order. Reports carry no order item id, so the natural key is (order, SKU);
 * the Orders API's `OrderItemId` is kept when known. Scoped through its order.
 */
@Entity('order_item')
@Unique(['orderId', 'sku'])
@Index(['sku'])
@Index(['asin'])
export class OrderItem extends ProvenancedRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'bigint' })
  orderId: string;

  @ManyToOne(() => Order, (order) => order.items, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id', referencedColumnName: 'id' })
  order?: Order;

  @Column({ type: 'varchar', length: 40, nullable: true })
  orderItemId: string | null;

  @Column({ type: 'varchar', length: 80 })
  sku: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  asin: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  productName: string | null;

  @Column({ type: 'integer' })
  quantity: number;

  /** Line total (price x quantity), as the All Orders report gives it. */
  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  itemPrice: string | null;

  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  itemTax: string | null;

  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  shippingPrice: string | null;

  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  promotionDiscount: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  itemStatus: string | null;
}
