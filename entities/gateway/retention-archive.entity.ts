import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * An archived record (settlement with its lines, refund, fee estimate, audit record): moved
 * here by an ARCHIVE rule, readable only under COMPLIANCE_REVIEW (finance) or AUDIT (audit
 * records), deleted by the matching DELETE rule. `payload` is the row as it was (column names).
 */
@Entity('retention_archive')
@Unique(['sourceTable', 'sourceId'])
@Index(['sourceTable', 'recordDate'])
export class RetentionArchive {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 40 })
  sourceTable: string;

  /** The row's id in its table. */
  @Column({ type: 'varchar', length: 40 })
  sourceId: string;

  /** Settlement id, order id of a refund, SKU of a fee estimate, request id of an audit record. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  naturalKey: string | null;

  @Index()
  @Column({ type: 'varchar', length: 32, nullable: true })
  sellerAccountId: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  marketplaceId: string | null;

  /** Amazon order ids the record mentions (legal holds and deletion requests find it by them). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  orderIds: string[];

  /** The date the retention clock runs from (posting, creation). */
  @Column({ type: 'timestamptz' })
  recordDate: Date;

  @Column({ type: 'timestamptz' })
  archivedAt: Date;

  @Column({ type: 'varchar', length: 64 })
  ruleId: string;

  @Column({ type: 'uuid', nullable: true })
  runId: string | null;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;
}
