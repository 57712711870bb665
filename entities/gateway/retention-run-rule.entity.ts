import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

export type RetentionRuleStatus = 'PENDING' | 'RUNNING' | 'DONE' | 'CAPPED' | 'FAILED';

/**
 * What one rule did in one run: cutoff fixed at the run's start (so a resumed run applies the
 * same one), counts, first and last surrogate keys, errors. Keys are row ids, never order ids.
 */
@Entity('retention_run_rule')
@Unique(['runId', 'ruleId'])
export class RetentionRunRule {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  runId: string;

  @Column({ type: 'integer' })
  position: number;

  @Column({ type: 'varchar', length: 64 })
  ruleId: string;

  @Column({ type: 'varchar', length: 32 })
  target: string;

  @Column({ type: 'varchar', length: 16 })
  action: string;

  @Column({ type: 'varchar', length: 16 })
  clock: string;

  @Column({ type: 'varchar', length: 16 })
  period: string;

  /** Records whose clock is before this instant are due. */
  @Column({ type: 'timestamptz' })
  cutoff: Date;

  @Column({ type: 'varchar', length: 16 })
  status: RetentionRuleStatus;

  /** Rows of the rule's own table processed. */
  @Column({ type: 'integer', default: 0 })
  affected: number;

  /** Due rows skipped because a legal hold covers them (counted at the rule's start). */
  @Column({ type: 'integer', default: 0 })
  held: number;

  @Column({ type: 'integer', default: 0 })
  batches: number;

  /** Rows per table (derived rows included), e.g. `{ "amazon_order": 10, "order_item": 24 }`. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  counts: Record<string, number>;

  @Column({ type: 'varchar', length: 64, nullable: true })
  firstKey: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  lastKey: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;
}
