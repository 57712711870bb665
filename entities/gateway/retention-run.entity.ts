import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type RetentionRunStatus = 'RUNNING' | 'SUCCEEDED' | 'CAPPED' | 'FAILED';

/**
 * One retention run: the evidence that rules were applied (SYSTEM_LOGS). A run left RUNNING
 * with a stale heartbeat crashed; the next run resumes it with the same cutoffs.
 */
@Entity('retention_run')
@Index(['status', 'startedAt'])
export class RetentionRun {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** `cli`, `schedule` or `graphql`. */
  @Column({ type: 'varchar', length: 16 })
  trigger: string;

  /** Principal id, `cli:<os user>` or `system:schedule`. */
  @Column({ type: 'varchar', length: 200 })
  actor: string;

  @Column({ type: 'varchar', length: 16 })
  status: RetentionRunStatus;

  /** Version of the retention rules applied (label + content hash). */
  @Column({ type: 'varchar', length: 100 })
  rulesVersion: string;

  /** Only this rule, when the run was limited to one. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  ruleFilter: string | null;

  /** Most rows one run may touch; the rest waits for the next run. */
  @Column({ type: 'integer' })
  maxRows: number;

  @Column({ type: 'integer' })
  batchSize: number;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'timestamptz' })
  heartbeatAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  resumeCount: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;
}
