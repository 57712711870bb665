import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An access policy applied with `sellergate policy apply`. Append-only (updates and deletes are
 * refused by the database): the newest row is the policy in force on every gateway process, the
 * older rows are its history. Re-applying an older document adds a new row.
 */
@Entity('policy_revision')
export class PolicyRevision {
  /** Increases with every apply: the newest revision is the one with the highest id. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  /** The effective version (`<label>+<hash>` or `<hash>`), as reported in responses and audit records. */
  @Index()
  @Column({ type: 'varchar', length: 80 })
  version: string;

  /** The operator's label (the document's `version`), if any: one content per label. */
  @Index()
  @Column({ type: 'varchar', length: 64, nullable: true })
  label: string | null;

  /** The validated policy document (defaults filled in), as it is enforced. */
  @Column({ type: 'jsonb' })
  document: Record<string, unknown>;

  /** SHA-256 (hex) of the document's canonical JSON. */
  @Column({ type: 'char', length: 64 })
  sha256: string;

  /** Who applied it: `cli:<os user>` or a principal. */
  @Column({ type: 'varchar', length: 200 })
  appliedBy: string;

  @Column({ type: 'timestamptz' })
  appliedAt: Date;

  /** Where the document came from (file name), for the history; never a secret. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  source: string | null;
}
