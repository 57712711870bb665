import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A principal suspended after suspicious activity (or by an administrator). While a row has no
 * `reinstatedAt`, every request of the principal is refused with SUSPENDED; at most one such row
 * per principal. Kept after reinstatement: it is the record of the investigation.
 */
@Entity('principal_suspension')
@Index('UQ_principal_suspension_active', ['principalId'], { unique: true, where: '"reinstated_at" IS NULL' })
export class PrincipalSuspension {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Token id or user subject. */
  @Index()
  @Column({ type: 'varchar', length: 200 })
  principalId: string;

  /** `token` or `user`. */
  @Column({ type: 'varchar', length: 8 })
  principalKind: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  principalRole: string | null;

  /** The rule that fired, e.g. `FORBIDDEN_BURST`, or `MANUAL`. */
  @Column({ type: 'varchar', length: 60 })
  rule: string;

  /** What was observed (counts and thresholds; never data values). */
  @Column({ type: 'varchar', length: 1000 })
  reason: string;

  @Column({ type: 'timestamptz' })
  suspendedAt: Date;

  /** Request that crossed the threshold (joins the audit log). */
  @Column({ type: 'varchar', length: 100, nullable: true })
  requestId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  reinstatedAt: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reinstatedBy: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  reviewNote: string | null;
}
