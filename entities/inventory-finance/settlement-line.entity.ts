import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ProvenancedRow } from '../common/provenance';
import { Settlement } from './settlement.entity';

/**
 * One amount component of a settlement (one V2 file row). Natural key: the settlement and the
 * row's line number in the file. Scoped through its settlement.
 */
@Entity('settlement_line')
@Unique(['settlementRowId', 'lineNumber'])
export class SettlementLine extends ProvenancedRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  /** The parent settlement's surrogate key (`settlement.id`). */
  @Column({ type: 'bigint' })
  settlementRowId: string;

  @ManyToOne(() => Settlement, (settlement) => settlement.lines, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'settlement_row_id', referencedColumnName: 'id' })
  settlement?: Settlement;

  @Column({ type: 'integer' })
  lineNumber: number;

  /** e.g. `Order`, `Refund`, `Payable to Amazon`, `Subscription Fee`. */
  @Column({ type: 'varchar', length: 80 })
  transactionType: string;

  @Index()
  @Column({ type: 'varchar', length: 40, nullable: true })
  orderId: string | null;

  @Column({ type: 'varchar', length: 80, nullable: true })
  sku: string | null;

  /** e.g. `ItemPrice`, `ItemFees`, `Promotion`. */
  @Column({ type: 'varchar', length: 80 })
  amountType: string;

  /** e.g. `Principal`, `Tax`, `Commission`, `FBAPerUnitFulfillmentFee`. */
  @Column({ type: 'varchar', length: 120 })
  amountDescription: string;

  @Column({ type: 'numeric', precision: 14, scale: 2 })
  amount: string;

  @Column({ type: 'timestamptz', nullable: true })
  postedDate: Date | null;

  @Column({ type: 'integer', nullable: true })
  quantity: number | null;
}
