import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Proof that a deletion request was carried out: what was deleted (tables and row counts), when,
 * by whom, and keyed digests of the scope; never the deleted values. Signed (HMAC-SHA256) so a
 * changed certificate is detected. Kept after the data is gone.
 */
@Entity('deletion_certificate')
export class DeletionCertificate {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index({ unique: true })
  @Column({ type: 'uuid' })
  requestId: string;

  @Column({ type: 'timestamptz' })
  issuedAt: Date;

  @Column({ type: 'varchar', length: 200 })
  executedBy: string;

  /** `ORDERS` or `ACCOUNT`. */
  @Column({ type: 'varchar', length: 16 })
  scopeKind: string;

  @Column({ type: 'text', array: true })
  scopeDigests: string[];

  /** Rows deleted per table. */
  @Column({ type: 'jsonb' })
  counts: Record<string, number>;

  @Column({ type: 'integer' })
  totalRows: number;

  @Column({ type: 'char', length: 64 })
  signature: string;
}
