import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * Progress record of one batch, written in the batch's own transaction: a batch either happened
 * with its record or not at all, so a resumed run never does one twice.
 */
@Entity('retention_batch')
@Unique(['runId', 'ruleId', 'batchNo'])
export class RetentionBatch {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  runId: string;

  @Column({ type: 'varchar', length: 64 })
  ruleId: string;

  @Column({ type: 'integer' })
  batchNo: number;

  @Column({ type: 'integer' })
  rows: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  firstKey: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  lastKey: string | null;

  @Column({ type: 'timestamptz' })
  committedAt: Date;
}
